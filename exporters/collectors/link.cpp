// The PCIe link of each counted function as discovery read it at start-up:
// current speed in transfers per second and width in lanes, named after
// node_exporter's pcidevice link gauges.
#include <set>

#include "collector.hpp"
#include "cpmu/discovered_machine.hpp"

namespace cpmu::exporter {

void collect_link(const ScrapeContext& context, std::vector<MetricFamily>& out) {
  MetricFamily speed{"cxl_link_current_transfers_per_second",
                     MetricType::kGauge,
                     "",
                     "Current PCIe link speed of the function (Link Status), in transfers per second.",
                     {}};
  MetricFamily width{"cxl_link_current_width",
                     MetricType::kGauge,
                     "",
                     "Current PCIe link width of the function (Link Status), in lanes.",
                     {}};
  std::set<std::string> done;
  for (const SourceExport& source : context.view.sources) {
    if (!source.link || !done.insert(source.function_address).second) continue;
    if (const auto gts = link_speed_gt_s(source.link->speed)) {
      speed.samples.push_back({source.function_labels, MetricValue::of_real(*gts * 1e9), {}});
    }
    if (source.link->width > 0) {
      width.samples.push_back({source.function_labels, MetricValue::of(source.link->width), {}});
    }
  }
  out.push_back(std::move(speed));
  out.push_back(std::move(width));
}

}  // namespace cpmu::exporter
