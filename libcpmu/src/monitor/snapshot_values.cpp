#include "monitor/snapshot_values.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cpmu {

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::kCpmu: return "cpmu";
    case SourceKind::kHostCpu: return "host_cpu";
    case SourceKind::kRemote: return "remote";
  }
  return "cpmu";
}

std::string_view source_health_name(SourceHealth health) {
  switch (health) {
    case SourceHealth::kCounting: return "counting";
    case SourceHealth::kError: return "error";
    case SourceHealth::kRemoved: return "removed";
  }
  return "unknown";
}

namespace detail {

namespace {

std::uint64_t difference(std::uint64_t later, std::uint64_t earlier) { return later >= earlier ? later - earlier : 0; }

std::optional<double> per_second(std::optional<double> amount, std::uint64_t ns) {
  if (!amount || ns == 0) return std::nullopt;
  return *amount * 1e9 / static_cast<double>(ns);
}

void derive(SeriesFigures& figures, std::uint64_t per_ns) {
  const CountValue& count = figures.count;
  figures.estimate = count.estimate();
  // No time at all (a sample right after the previous one) is a count of
  // nothing, not an unknown count.
  if (!figures.estimate && count.state == CountState::kCounted && count.time_enabled_ns == 0) {
    figures.estimate = static_cast<double>(count.raw);
  }
  figures.rate = per_second(figures.estimate, per_ns);
  figures.running_share = std::nullopt;
  if (count.state == CountState::kCounted && count.time_enabled_ns > 0) {
    figures.running_share = std::min(1.0, static_cast<double>(count.time_running_ns) /
                                              static_cast<double>(count.time_enabled_ns));
  }
}

}  // namespace

void update_series(SeriesValue& series, const CountValue& previous, const CountValue& total,
                   std::uint64_t interval_ns) {
  series.total.count = total;
  CountValue& delta = series.interval.count;
  delta = CountValue{};
  delta.state = total.state;
  delta.raw = difference(total.raw, previous.raw);
  delta.time_enabled_ns = difference(total.time_enabled_ns, previous.time_enabled_ns);
  delta.time_running_ns = difference(total.time_running_ns, previous.time_running_ns);
  if (total.raw < previous.raw) {
    // A backend's totals only grow; one that went down cannot be explained,
    // so neither it nor anything derived from it is vouched for.
    series.total.count.trusted = false;
    series.total.count.doubt = fmt::format("total went backwards from {} to {}", previous.raw, total.raw);
  }
  // Multiplexed out for the whole interval: perf's <not counted> for it.
  if (delta.state == CountState::kCounted && delta.time_running_ns == 0 && delta.time_enabled_ns > 0) {
    delta.state = CountState::kNotCounted;
  }
  delta.trusted = series.total.count.trusted;
  delta.doubt = series.total.count.doubt;
  derive(series.total, series.total.count.time_enabled_ns);
  derive(series.interval, interval_ns);
}

void hold_series(SeriesValue& series) {
  const CountValue total = series.total.count;
  update_series(series, total, total, 0);
}

std::vector<BoundMetric> bind_metrics(const std::vector<MetricInfo>& metrics, const EventCatalogue& catalogue,
                                      const std::vector<SeriesValue>& series, std::size_t cpmu_count) {
  std::vector<BoundMetric> bound;
  for (std::size_t cpmu = 0; cpmu < cpmu_count; ++cpmu) {
    for (const MetricInfo& metric : metrics) {
      BoundMetric candidate{cpmu, &metric, {}, {}};
      for (const std::string& name : metric.formula.names()) {
        const auto code = catalogue.resolve(name);
        if (!code) {
          candidate.not_supported = fmt::format("input {} is not in the catalogue", name);
          break;
        }
        EventSelection plain;
        plain.code = *code;
        auto it = std::find_if(series.begin(), series.end(),
                               [&](const SeriesValue& s) { return s.info->source == cpmu && s.info->event == plain; });
        if (it == series.end()) {
          candidate.not_supported = fmt::format("input {} is not counted on this CPMU", name);
          break;
        }
        if (it->info->placement == Placement::kNotSupported) {
          candidate.not_supported = fmt::format("input {} is not supported here: {}", name, it->info->placement_reason);
          break;
        }
        candidate.inputs.emplace_back(name, static_cast<std::size_t>(it - series.begin()));
      }
      bound.push_back(std::move(candidate));
    }
  }
  return bound;
}

MetricValue evaluate_metric(const BoundMetric& bound, const std::vector<SeriesValue>& series,
                            std::uint64_t interval_ns, std::uint64_t elapsed_ns) {
  MetricValue value;
  value.source = bound.cpmu;
  value.name = bound.metric->name;
  value.unit = bound.metric->unit;
  if (!bound.not_supported.empty()) {
    value.not_supported = bound.not_supported;
    return value;
  }
  auto input = [&](std::string_view name) -> const SeriesValue& {
    const auto it = std::find_if(bound.inputs.begin(), bound.inputs.end(),
                                 [&](const auto& in) { return in.first == name; });
    return series[it->second];
  };
  for (const auto& in : bound.inputs) value.trusted = value.trusted && series[in.second].total.count.trusted;
  const Formula& formula = bound.metric->formula;
  if (interval_ns > 0) {
    value.interval_value = formula.evaluate([&](std::string_view name) { return input(name).interval.estimate; },
                                            static_cast<double>(interval_ns) / 1e9);
  }
  if (elapsed_ns > 0) {
    value.total_value = formula.evaluate([&](std::string_view name) { return input(name).total.estimate; },
                                         static_cast<double>(elapsed_ns) / 1e9);
  }
  return value;
}

}  // namespace detail
}  // namespace cpmu
