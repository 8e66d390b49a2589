// Per CPMU: cxl_cpmu_up (counting at the latest snapshot), cxl_cpmu_info
// (who it is, with pcidevice labels to join node_exporter's series on) and
// cxl_cpmu_untrusted_totals (how many of its totals cannot be vouched for,
// e.g. after a missed wrap; such a counter may be short).
#include "collector.hpp"

namespace cpmu::exporter {

void collect_cpmu_status(const ScrapeContext& context, std::vector<MetricFamily>& out) {
  MetricFamily up{"cxl_cpmu_up",
                  MetricType::kGauge,
                  "",
                  "1 while the CPMU counted at the latest snapshot; 0 when reading it failed or its device is gone.",
                  {}};
  MetricFamily info{"cxl_cpmu",
                    MetricType::kInfo,
                    "",
                    "A counted CPMU: its function (segment, bus, device, function as node_exporter's pcidevice "
                    "collector labels it), instance, serial number, component kind, memdev and perf PMU.",
                    {}};
  MetricFamily untrusted{"cxl_cpmu_untrusted_totals",
                         MetricType::kGauge,
                         "",
                         "Number of the CPMU's event totals that cannot be vouched for (e.g. a counter wrap was "
                         "missed); such totals may be short.",
                         {}};
  if (!context.snapshot) return;
  std::vector<std::uint64_t> doubtful(context.view.sources.size(), 0);
  for (std::size_t i = 0; i < context.view.series.size(); ++i) {
    const auto total = series_total(context, i);
    if (total && !total->trusted) ++doubtful[context.snapshot->series[i].info->source];
  }
  for (std::size_t i = 0; i < context.view.sources.size() && i < context.snapshot->sources.size(); ++i) {
    const SourceExport& source = context.view.sources[i];
    const SourceStatus& status = context.snapshot->sources[i];
    up.samples.push_back(
        {source.labels, MetricValue::of(status.health == SourceHealth::kCounting ? 1 : 0), std::nullopt});
    Labels labels = source.labels;
    labels.emplace_back("serial", source.serial);
    labels.emplace_back("component", source.component);
    labels.emplace_back("memdev", source.memdev);
    labels.emplace_back("perf_pmu", source.perf_pmu);
    labels.emplace_back("backend", status.backend);
    info.samples.push_back({std::move(labels), MetricValue::of(1), std::nullopt});
    untrusted.samples.push_back({source.labels, MetricValue::of(doubtful[i]), std::nullopt});
  }
  out.push_back(std::move(up));
  out.push_back(std::move(info));
  out.push_back(std::move(untrusted));
}

}  // namespace cpmu::exporter
