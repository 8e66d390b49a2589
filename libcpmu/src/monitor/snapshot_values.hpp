// The arithmetic behind a snapshot: a series' deltas, estimates and rates
// from two successive totals, and derived metrics from series values. Pure
// functions, so every number front ends show is computed here and only here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/events.hpp"
#include "cpmu/snapshot.hpp"

namespace cpmu::detail {

// Sets series.total to `total` and derives the rest from `previous` (the
// total of the CPMU's previous sample) over `interval_ns` of the CPMU's
// clock. A total that went backwards is a delta of 0 and untrusted.
void update_series(SeriesValue& series, const CountValue& previous, const CountValue& total,
                   std::uint64_t interval_ns);

// The same series after a sample that produced no values (the CPMU failed or
// is gone): totals stay, the delta is zero.
void hold_series(SeriesValue& series);

// A metric bound to the series that feed it on one CPMU.
struct BoundMetric {
  std::size_t cpmu = 0;
  const MetricInfo* metric = nullptr;
  std::vector<std::pair<std::string, std::size_t>> inputs;   // formula name -> series index
  std::string not_supported;  // an input the CPMU does not count: the metric is shown, not evaluated
};

// Binds each metric on each CPMU (see
// MonitorOptions::metrics). `series_of_cpmu[c]` lists the series of CPMU c.
std::vector<BoundMetric> bind_metrics(const std::vector<MetricInfo>& metrics, const EventCatalogue& catalogue,
                                      const std::vector<SeriesValue>& series, std::size_t cpmu_count);

// Evaluates over `series` (as they stand in the snapshot being built); the
// interval is the CPMU's sampling interval, the total spans `elapsed_ns`.
MetricValue evaluate_metric(const BoundMetric& bound, const std::vector<SeriesValue>& series,
                            std::uint64_t interval_ns, std::uint64_t elapsed_ns);

}  // namespace cpmu::detail
