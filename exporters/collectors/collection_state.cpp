// The collection itself: when the latest snapshot was taken (so an alert can
// tell stale data from a quiet device), the sampling interval, and how many
// CPMUs could not be counted.
#include "collector.hpp"

namespace cpmu::exporter {

void collect_collection_state(const ScrapeContext& context, std::vector<MetricFamily>& out) {
  MetricFamily interval{"cxl_collection_interval_seconds",
                        MetricType::kGauge,
                        "seconds",
                        "Sampling interval of the exporter's background poller.",
                        {}};
  interval.samples.push_back(
      {{}, MetricValue::of_real(std::chrono::duration<double>(context.view.interval).count()), std::nullopt});
  out.push_back(std::move(interval));
  MetricFamily skipped{"cxl_collection_skipped_cpmus",
                       MetricType::kGauge,
                       "",
                       "CPMUs the collection chose but cannot count (owned by the kernel driver, by another cpmu "
                       "process, or counting none of the configured events).",
                       {}};
  skipped.samples.push_back({{}, MetricValue::of(context.view.skipped.size()), std::nullopt});
  out.push_back(std::move(skipped));
  if (!context.snapshot) return;
  MetricFamily taken{"cxl_snapshot_timestamp_seconds",
                     MetricType::kGauge,
                     "seconds",
                     "Wall-clock time of the latest snapshot, seconds since the Unix epoch.",
                     {}};
  taken.samples.push_back(
      {{}, MetricValue::of_real(static_cast<double>(context.snapshot->wall_time_ns) / 1e9), std::nullopt});
  out.push_back(std::move(taken));
}

}  // namespace cpmu::exporter
