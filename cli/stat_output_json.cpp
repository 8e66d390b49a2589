// JSON lines (-j): one object per line, every line with schema_version and
// type. Numbers are JSON numbers; states are explicit strings; fields that do
// not apply are left out rather than null. Schema: cpmu(1), "JSON OUTPUT".
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "stat_output.hpp"

namespace cpmu::cli {

namespace {

using Json = nlohmann::ordered_json;

class JsonRenderer final : public StatRenderer {
 public:
  explicit JsonRenderer(std::FILE* out) : out_(out) {}

  void plan(const std::vector<PlanRow>& rows) override {
    for (const PlanRow& row : rows) {
      Json line = head("plan");
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
      emit(line);
    }
  }

  void interval(const Snapshot& snapshot, const std::vector<StatRow>& rows) override {
    counts(snapshot, rows, true);
  }

  void totals(const Snapshot& snapshot, const std::vector<StatRow>& rows, const StatRun& run) override {
    counts(snapshot, rows, false);
    Json line = head("summary");
    line["elapsed_ns"] = snapshot.elapsed_ns();
    line["target"] = run.target;
    line["interrupted"] = run.interrupted;
    Json removed = Json::array();
    for (const CpmuStatus& cpmu : snapshot.cpmus) {
      if (cpmu.health == CpmuHealth::kRemoved) removed.push_back(cpmu.identity->name.to_string());
    }
    line["removed_cpmus"] = removed;
    emit(line);
  }

 private:
  static Json head(const char* type) {
    Json line;
    line["schema_version"] = kStatJsonSchemaVersion;
    line["type"] = type;
    return line;
  }

  void counts(const Snapshot& snapshot, const std::vector<StatRow>& rows, bool interval) {
    const char* scope = interval ? "interval" : "total";
    for (const StatRow& row : rows) {
      Json line = head("count");
      line["scope"] = scope;
      if (interval) line["time_ns"] = snapshot.elapsed_ns();
      count(line, snapshot, row, interval);
      emit(line);
    }
    for (const MetricValue& metric : snapshot.metrics) {
      Json line = head("metric");
      line["scope"] = scope;
      if (interval) line["time_ns"] = snapshot.elapsed_ns();
      line["cpmu"] = snapshot.cpmus[metric.cpmu].identity->name.to_string();
      line["metric"] = metric.name;
      line["unit"] = metric.unit;
      const std::optional<double> value = interval ? metric.interval_value : metric.total_value;
      line["state"] = value ? "counted" : "not_counted";
      if (value) line["value"] = *value;
      line["trusted"] = metric.trusted;
      emit(line);
    }
  }

  static void count(Json& line, const Snapshot& snapshot, const StatRow& row, bool interval) {
    const RowFigures f = row_figures(snapshot, row, interval);
    if (f.series) {
      line["cpmu"] = f.cpmu->identity->name.to_string();
      if (!f.cpmu->identity->perf_pmu.empty()) line["perf_pmu"] = f.cpmu->identity->perf_pmu;
    }
    line["event"] = row.event;
    if (!row.unit.empty()) line["unit"] = row.unit;
    if (!f.series) {
      line["state"] = count_state_name(CountState::kNotSupported);
      line["reason"] = row.reason;
      return;
    }
    const CountValue& count = f.figures->count;
    line["state"] = count_state_name(count.state);
    line["placement"] = placement_name(f.series->info->placement);
    if (count.state == CountState::kNotSupported) {
      line["reason"] = f.series->info->placement_reason;
      return;
    }
    if (count.state == CountState::kCounted && f.figures->estimate) {
      line["value"] = static_cast<std::uint64_t>(std::llround(*f.figures->estimate));
      line["raw"] = count.raw;
    }
    line["time_enabled_ns"] = count.time_enabled_ns;
    line["time_running_ns"] = count.time_running_ns;
    if (f.figures->running_share) line["running_pct"] = *f.figures->running_share * 100.0;
    if (f.figures->rate) line["rate_per_s"] = *f.figures->rate;
    line["trusted"] = count.trusted;
    if (!count.trusted) line["doubt"] = count.doubt;
    line["ended"] = f.series->ended;
  }

  void emit(const Json& line) const { fmt::print(out_, "{}\n", line.dump()); }

  std::FILE* out_;
};

}  // namespace

std::unique_ptr<StatRenderer> make_json_renderer(std::FILE* out) { return std::make_unique<JsonRenderer>(out); }

}  // namespace cpmu::cli
