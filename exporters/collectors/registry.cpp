#include <chrono>

#include "collector.hpp"

namespace cpmu::exporter {

const std::vector<Collector>& collectors() {
  static const std::vector<Collector> kCollectors = {
      {"event_totals", &collect_event_totals},
      {"mem_bytes", &collect_mem_bytes},
      {"cdat", &collect_cdat},
      {"link", &collect_link},
      {"cpmu_status", &collect_cpmu_status},
      {"collection", &collect_collection_state},
  };
  return kCollectors;
}

std::optional<SeriesTotal> series_total(const ScrapeContext& context, std::size_t i) {
  if (!context.snapshot || i >= context.snapshot->series.size() || i >= context.view.series.size()) return std::nullopt;
  const CountValue& count = context.snapshot->series[i].total.count;
  if (count.state == CountState::kNotSupported) return std::nullopt;
  const SeriesExport& s = context.view.series[i];
  return SeriesTotal{s.carried + count.raw, count.trusted && !s.carried_untrusted};
}

std::vector<MetricFamily> scrape(const CollectionView& view) {
  using Clock = std::chrono::steady_clock;
  const std::shared_ptr<const Snapshot> snapshot = latest_snapshot(view);
  const double wall_now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const ScrapeContext context{view, snapshot.get(), wall_now};
  std::vector<MetricFamily> out;
  MetricFamily durations{"cxl_scrape_collector_duration_seconds",
                         MetricType::kGauge,
                         "seconds",
                         "Time each cpmu-exporter collector took in this scrape.",
                         {}};
  for (const Collector& collector : collectors()) {
    const auto start = Clock::now();
    collector.collect(context, out);
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    durations.samples.push_back({{{"collector", collector.name}}, MetricValue::of_real(took), std::nullopt});
  }
  out.push_back(std::move(durations));
  return out;
}

}  // namespace cpmu::exporter
