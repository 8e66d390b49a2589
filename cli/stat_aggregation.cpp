#include "stat_aggregation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

namespace cpmu::cli {

namespace {

void add(std::optional<double>& to, const std::optional<double>& value) {
  if (value) to = to.value_or(0.0) + *value;
}

// The line a group of a term's series gives: the series itself when alone,
// else a summed series appended to the view.
StatRow group_row(AggregatedView& view, const TermSeries& term, const std::vector<std::size_t>& group,
                  const std::string& label) {
  StatRow row{term.event, term.unit, group.front(), {}, {}, {}, std::nullopt};
  if (group.size() == 1) return row;
  SeriesValue sum;
  std::vector<const SeriesFigures*> totals, intervals;
  for (std::size_t s : group) {
    const SeriesValue& member = view.snapshot.series[s];
    totals.push_back(&member.total);
    intervals.push_back(&member.interval);
    sum.ended = sum.ended || member.ended;
    row.cpmus.push_back(view.snapshot.sources[member.info->source].identity->name.to_string());
    // The summed series stands where its first counted member is, with that
    // member's placement; with none counted, the first member's reason.
    if (!sum.info ||
        (sum.info->placement == Placement::kNotSupported && member.info->placement != Placement::kNotSupported)) {
      sum.info = member.info;
    }
  }
  sum.total = sum_figures(totals);
  sum.interval = sum_figures(intervals);
  row.series = view.snapshot.series.size();
  row.aggregate = label;
  view.snapshot.series.push_back(std::move(sum));
  return row;
}

// The mean of the values, and the standard error of that mean as a percent
// of it (none for fewer than two values or a zero mean).
std::pair<double, std::optional<double>> mean_and_noise(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  const double n = static_cast<double>(values.size());
  const double mean = values.empty() ? 0.0 : sum / n;
  if (values.size() < 2 || mean == 0) return {mean, std::nullopt};
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double error_of_mean = std::sqrt(squares / (n - 1) / n);
  return {mean, 100.0 * error_of_mean / std::fabs(mean)};
}

}  // namespace

AggregatedView average_runs(const std::vector<AggregatedView>& runs, std::optional<double>& elapsed_noise_pct) {
  AggregatedView out = runs.back();
  elapsed_noise_pct.reset();
  if (runs.size() < 2) return out;
  std::vector<double> elapsed;
  elapsed.reserve(runs.size());
  for (const AggregatedView& run : runs) elapsed.push_back(static_cast<double>(run.snapshot.elapsed_ns()));
  const auto [mean_elapsed, elapsed_noise] = mean_and_noise(elapsed);
  elapsed_noise_pct = elapsed_noise;
  out.snapshot.timestamp_ns = out.snapshot.start_ns + static_cast<std::uint64_t>(std::llround(mean_elapsed));
  auto mean_of = [&](auto pick) {
    std::vector<double> values;
    values.reserve(runs.size());
    for (const AggregatedView& run : runs) values.push_back(pick(run));
    return mean_and_noise(values);
  };
  for (std::size_t r = 0; r < out.rows.size(); ++r) {
    if (!out.rows[r].series) continue;
    const std::size_t s = *out.rows[r].series;
    auto total = [s](const AggregatedView& run) -> const SeriesFigures& { return run.snapshot.series[s].total; };
    SeriesFigures& mean = out.snapshot.series[s].total;
    if (mean.count.state != CountState::kCounted || !mean.estimate) continue;
    const auto [estimate, noise] = mean_of([&](const AggregatedView& run) { return total(run).estimate.value_or(0); });
    mean.estimate = estimate;
    out.rows[r].noise_pct = noise;
    mean.count.raw = static_cast<std::uint64_t>(std::llround(
        mean_of([&](const AggregatedView& run) { return static_cast<double>(total(run).count.raw); }).first));
    mean.count.time_enabled_ns =
        static_cast<std::uint64_t>(std::llround(mean_of([&](const AggregatedView& run) {
                                                  return static_cast<double>(total(run).count.time_enabled_ns);
                                                }).first));
    mean.count.time_running_ns =
        static_cast<std::uint64_t>(std::llround(mean_of([&](const AggregatedView& run) {
                                                  return static_cast<double>(total(run).count.time_running_ns);
                                                }).first));
    if (mean.rate) mean.rate = mean_of([&](const AggregatedView& run) { return total(run).rate.value_or(0); }).first;
    for (const AggregatedView& run : runs) {
      const CountValue& c = total(run).count;
      if (!c.trusted && mean.count.trusted) {
        mean.count.trusted = false;
        mean.count.doubt = c.doubt;
      }
    }
  }
  for (std::size_t m = 0; m < out.snapshot.metrics.size(); ++m) {
    MetricValue& metric = out.snapshot.metrics[m];
    if (!metric.total_value) continue;
    metric.total_value =
        mean_of([&](const AggregatedView& run) { return run.snapshot.metrics[m].total_value.value_or(0); }).first;
  }
  return out;
}

SeriesFigures sum_figures(const std::vector<const SeriesFigures*>& members) {
  SeriesFigures out;
  out.count.state = CountState::kNotSupported;
  for (const SeriesFigures* m : members) {
    const CountValue& c = m->count;
    if (c.state == CountState::kNotSupported) continue;
    if (out.count.state == CountState::kNotSupported || c.state == CountState::kCounted) out.count.state = c.state;
    out.count.raw += c.raw;
    out.count.time_enabled_ns += c.time_enabled_ns;
    out.count.time_running_ns += c.time_running_ns;
    if (!c.trusted) {
      out.count.trusted = false;
      out.count.doubt += (out.count.doubt.empty() ? "" : "; ") + c.doubt;
    }
    if (!c.note.empty()) out.count.note += (out.count.note.empty() ? "" : "; ") + c.note;
    add(out.estimate, m->estimate);
    add(out.rate, m->rate);
  }
  if (out.count.time_enabled_ns > 0) {
    out.running_share = static_cast<double>(out.count.time_running_ns) / static_cast<double>(out.count.time_enabled_ns);
  }
  return out;
}

AggregatedView aggregate(const Snapshot& snapshot, const std::vector<TermSeries>& terms, Aggregation mode) {
  AggregatedView view{snapshot, {}};
  for (const TermSeries& term : terms) {
    if (term.series.empty()) {
      view.rows.push_back({term.event, term.unit, std::nullopt, term.reason, {}, {}, std::nullopt});
      continue;
    }
    switch (mode) {
      case Aggregation::kPerCpmu:
        for (std::size_t s : term.series) view.rows.push_back(group_row(view, term, {s}, {}));
        break;
      case Aggregation::kMerge: {
        // Like perf merging same-named PMUs: CPMUs of one component kind
        // (endpoints, switch ports, root ports) sum; levels of the topology
        // stay apart, as each sees the same traffic again.
        std::vector<ComponentKind> kinds;
        std::map<ComponentKind, std::vector<std::size_t>> of_kind;
        for (std::size_t s : term.series) {
          const ComponentKind kind = snapshot.sources[snapshot.series[s].info->source].identity->kind;
          if (!of_kind.count(kind)) kinds.push_back(kind);
          of_kind[kind].push_back(s);
        }
        for (ComponentKind kind : kinds) {
          const auto& group = of_kind[kind];
          const std::string label = kinds.size() == 1 && !term.pmu.empty()
                                        ? term.pmu
                                        : fmt::format("{}:{}", component_kind_name(kind), group.size());
          view.rows.push_back(group_row(view, term, group, label));
        }
        break;
      }
      case Aggregation::kPerDevice: {
        // Functions in the order their first CPMU comes.
        std::vector<PciAddress> order;
        std::map<PciAddress, std::vector<std::size_t>> of_function;
        for (std::size_t s : term.series) {
          const PciAddress function = snapshot.sources[snapshot.series[s].info->source].identity->name.function;
          if (!of_function.count(function)) order.push_back(function);
          of_function[function].push_back(s);
        }
        for (const PciAddress& function : order) {
          view.rows.push_back(group_row(view, term, of_function[function], function.to_string()));
        }
        break;
      }
    }
  }
  return view;
}

}  // namespace cpmu::cli
