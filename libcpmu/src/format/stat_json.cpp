// The lines of `cpmu stat -j`: the plan, counts, metrics and the summary,
// one JSON object each. A count line shows what a snapshot holds for one
// series; it computes nothing.
#include <cmath>

#include "cpmu/json.hpp"
#include "format/json_document.hpp"

namespace cpmu::json {

namespace {

using detail::Json;

Json scoped_head(const char* type, const Snapshot& snapshot, Scope scope) {
  Json line = detail::document_head(type);
  line["scope"] = scope == Scope::kInterval ? "interval" : "total";
  if (scope == Scope::kInterval) line["time_ns"] = snapshot.elapsed_ns();
  return line;
}

void count_fields(Json& line, const Snapshot& snapshot, const CountLine& row, Scope scope) {
  const SeriesValue* series = row.series ? &snapshot.series.at(*row.series) : nullptr;
  if (series && !row.aggregate.empty()) {
    line["aggregate"] = row.aggregate;
    line["cpmus"] = row.cpmus;
  } else if (series) {
    const SourceIdentity& source = *snapshot.sources.at(series->info->source).identity;
    line["cpmu"] = source.name.to_string();
    if (!source.perf_pmu.empty()) line["perf_pmu"] = source.perf_pmu;
  }
  line["event"] = row.event;
  if (row.noise_pct) line["variance_pct"] = *row.noise_pct;
  if (row.unit) line["unit"] = unit_name(*row.unit);
  if (!series) {
    line["state"] = count_state_name(CountState::kNotSupported);
    line["reason"] = row.reason;
    return;
  }
  const SeriesFigures& figures = scope == Scope::kInterval ? series->interval : series->total;
  const CountValue& count = figures.count;
  line["state"] = count_state_name(count.state);
  line["placement"] = placement_name(series->info->placement);
  if (count.state == CountState::kNotSupported) {
    line["reason"] = series->info->placement_reason;
    return;
  }
  if (count.state == CountState::kCounted && figures.estimate) {
    line["value"] = static_cast<std::uint64_t>(std::llround(*figures.estimate));
    line["raw"] = count.raw;
  }
  line["time_enabled_ns"] = count.time_enabled_ns;
  line["time_running_ns"] = count.time_running_ns;
  if (figures.running_share) line["running_pct"] = *figures.running_share * 100.0;
  if (figures.rate) line["rate_per_s"] = *figures.rate;
  line["trusted"] = count.trusted;
  if (!count.trusted) line["doubt"] = count.doubt;
  if (!count.note.empty()) line["note"] = count.note;
  line["ended"] = series->ended;
}

}  // namespace

std::string encode_plan_line(const PlanLine& row) {
  Json line = detail::document_head("plan");
  line["cpmu"] = row.cpmu;
  line["event"] = row.event;
  line["usable"] = row.unusable.empty();
  if (!row.unusable.empty()) line["unusable_reason"] = row.unusable;
  if (row.planned) {
    line["placement"] = placement_name(row.planned->placement);
    if (row.planned->counter) line["counter"] = *row.planned->counter;
    if (row.planned->event_capability) line["event_capability"] = *row.planned->event_capability;
    line["reason"] = row.planned->reason;
  }
  return detail::line_document(line);
}

std::string encode_count_line(const Snapshot& snapshot, const CountLine& row, Scope scope) {
  Json line = scoped_head("count", snapshot, scope);
  count_fields(line, snapshot, row, scope);
  return detail::line_document(line);
}

std::string encode_metric_line(const Snapshot& snapshot, std::size_t index, Scope scope) {
  const MetricValue& metric = snapshot.metrics.at(index);
  Json line = scoped_head("metric", snapshot, scope);
  line["cpmu"] = snapshot.sources.at(metric.source).identity->name.to_string();
  line["metric"] = metric.name;
  line["unit"] = unit_name(metric.unit);
  const std::optional<double> value = scope == Scope::kInterval ? metric.interval_value : metric.total_value;
  const CountState state = !metric.not_supported.empty() ? CountState::kNotSupported
                           : value                       ? CountState::kCounted
                                                         : CountState::kNotCounted;
  line["state"] = count_state_name(state);
  if (value) line["value"] = *value;
  line["trusted"] = metric.trusted;
  if (!metric.not_supported.empty()) line["reason"] = metric.not_supported;
  return detail::line_document(line);
}

std::string encode_summary_line(const Snapshot& snapshot, std::string_view target, bool interrupted) {
  Json line = detail::document_head("summary");
  line["elapsed_ns"] = snapshot.elapsed_ns();
  line["target"] = target;
  line["interrupted"] = interrupted;
  Json removed = Json::array();
  for (const SourceStatus& source : snapshot.sources) {
    if (source.health == SourceHealth::kRemoved) removed.push_back(source.identity->name.to_string());
  }
  line["removed_cpmus"] = removed;
  return detail::line_document(line);
}

}  // namespace cpmu::json
