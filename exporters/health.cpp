#include "health.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cpmu::exporter {

HealthReport check_health(const CollectionView& view, bool stopped, std::uint64_t now_ns) {
  HealthReport report;
  if (stopped) report.reasons.emplace_back("monitor stopped");
  if (!view.monitor && !view.frozen) report.reasons.emplace_back("nothing is counted: no configured CPMU can count");
  const auto snapshot = latest_snapshot(view);
  const std::uint64_t interval = static_cast<std::uint64_t>(view.interval.count());
  const std::uint64_t limit = std::max<std::uint64_t>(3 * interval, 2'000'000'000);
  if (!view.monitor && view.frozen) {
    report.reasons.emplace_back("reloading the collection file");
  } else if (view.monitor && !snapshot) {
    report.reasons.emplace_back("no snapshot yet");
  } else if (snapshot) {
    const std::uint64_t age = now_ns > snapshot->timestamp_ns ? now_ns - snapshot->timestamp_ns : 0;
    if (age > limit) {
      report.reasons.emplace_back(
          fmt::format("stale: the latest snapshot is {:.1f} s old (interval {:.3g} s)", age / 1e9, interval / 1e9));
    }
    for (std::size_t i = 0; i < snapshot->sources.size(); ++i) {
      const SourceStatus& source = snapshot->sources[i];
      const std::string& name = view.sources[i].name;
      if (source.health == SourceHealth::kRemoved)
        report.reasons.emplace_back(fmt::format("device gone: {}: {}", name, source.error));
      if (source.health == SourceHealth::kError)
        report.reasons.emplace_back(fmt::format("read failed: {}: {}", name, source.error));
    }
  }
  report.healthy = report.reasons.empty();
  return report;
}

}  // namespace cpmu::exporter
