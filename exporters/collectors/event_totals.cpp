// One counter family per configured event, cxl_cpmu_<event>_total, with the
// event's VID/GID/mask in HELP: the monitor's exact 64-bit totals, so a
// narrow hardware counter's wrap never shows as a reset.
#include <map>

#include "collector.hpp"

namespace cpmu::exporter {

void collect_event_totals(const ScrapeContext& context, std::vector<MetricFamily>& out) {
  if (!context.snapshot) return;
  std::map<std::string, std::size_t> family_of;  // the same event on many CPMUs is one family
  for (std::size_t i = 0; i < context.view.series.size(); ++i) {
    const auto total = series_total(context, i);
    if (!total) continue;
    const SeriesExport& s = context.view.series[i];
    auto [it, added] = family_of.try_emplace(s.metric, out.size());
    if (added) out.push_back({s.metric, MetricType::kCounter, "", s.help, {}});
    const SourceExport& source = context.view.sources[context.snapshot->series[i].info->source];
    out[it->second].samples.push_back(
        {source.labels, MetricValue::of(total->value), static_cast<double>(s.created_wall_ns) / 1e9});
  }
}

}  // namespace cpmu::exporter
