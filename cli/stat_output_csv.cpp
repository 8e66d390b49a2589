// CSV output (-x SEP), fields in perf stat's order with the CPMU where perf
// puts its aggregation id: [time,]cpmu,value,unit,event,running_ns,
// running_pct,rate,rate_unit,flags. A field holding the separator or a quote
// is quoted (RFC 4180), since raw event terms contain commas.
#include <fmt/format.h>

#include <cmath>

#include "stat_output.hpp"
#include "cpmu/value_text.hpp"

namespace cpmu::cli {

namespace {

class CsvRenderer final : public StatRenderer {
 public:
  CsvRenderer(std::FILE* out, std::string separator) : out_(out), separator_(std::move(separator)) {}

  void plan(const std::vector<PlanRow>& rows) override {
    for (const PlanRow& row : rows) {
      if (!row.planned || !row.unusable.empty()) {
        line({row.cpmu, row.event, "unusable", "", "", row.unusable});
        continue;
      }
      const PlannedCount& p = *row.planned;
      line({row.cpmu, row.event, std::string(placement_name(p.placement)),
            p.counter ? std::to_string(*p.counter) : "", p.event_capability ? std::to_string(*p.event_capability) : "",
            p.reason});
    }
  }

  void interval(const Snapshot& snapshot, const std::vector<StatRow>& rows) override {
    counts(snapshot, rows, true);
  }

  void totals(const Snapshot& snapshot, const std::vector<StatRow>& rows, const StatRun&) override {
    counts(snapshot, rows, false);
  }

 private:
  void counts(const Snapshot& snapshot, const std::vector<StatRow>& rows, bool interval) {
    std::vector<std::string> time;
    if (interval) time.push_back(seconds(snapshot.elapsed_ns()));
    for (const StatRow& row : rows) {
      std::vector<std::string> fields = time;
      append(fields, count_fields(snapshot, row, interval));
      line(fields);
    }
    for (const MetricValue& metric : snapshot.metrics) {
      const std::optional<double> value = interval ? metric.interval_value : metric.total_value;
      std::vector<std::string> fields = time;
      append(fields, {snapshot.sources[metric.source].identity->name.to_string(),
                      value ? fmt::format("{:.6g}", *value) : "<not counted>", std::string(unit_name(metric.unit)), metric.name, "", "", "",
                      "", metric.trusted ? "" : "untrusted"});
      line(fields);
    }
  }

  static std::vector<std::string> count_fields(const Snapshot& snapshot, const StatRow& row, bool interval) {
    const RowFigures f = row_figures(snapshot, row, interval);
    if (!f.series) return {"", "<not supported>", unit_field(row.unit), row.event, "", "", "", "", ""};
    const CountValue& count = f.figures->count;
    std::string flags = count.trusted ? "" : "untrusted";
    if (f.series->ended) flags += flags.empty() ? "ended" : "+ended";
    std::string value = "<not counted>";
    if (count.state == CountState::kNotSupported) value = "<not supported>";
    if (count.state == CountState::kCounted && f.figures->estimate) {
      value = std::to_string(static_cast<std::uint64_t>(std::llround(*f.figures->estimate)));
    }
    const bool counted = value.front() != '<';
    return {f.cpmu->identity->name.to_string(),
            value,
            unit_field(row.unit),
            row.event,
            counted ? std::to_string(count.time_running_ns) : "",
            counted && f.figures->running_share ? fmt::format("{:.2f}", *f.figures->running_share * 100.0) : "",
            counted && f.figures->rate ? fmt::format("{:.2f}", *f.figures->rate) : "",
            counted && f.figures->rate ? rate_unit_field(row.unit) : "",
            flags};
  }

  static std::string unit_field(std::optional<Unit> unit) { return unit ? std::string(unit_name(*unit)) : ""; }

  // A rate's unit, where units.hpp has one; otherwise the count's unit over seconds.
  static std::string rate_unit_field(std::optional<Unit> unit) {
    if (!unit) return "/s";
    if (auto rate = per_second_unit(*unit)) return std::string(unit_name(*rate));
    return std::string(unit_name(*unit)) + "/s";
  }

  static void append(std::vector<std::string>& to, std::vector<std::string> more) {
    for (std::string& field : more) to.push_back(std::move(field));
  }

  // Quoted when it holds a quote, a line break or any character of the
  // separator (not only the whole separator: with -x aa a field "a" before
  // it would make "aaa" split two ways), so an unquoted field never holds
  // part of one.
  std::string quoted(const std::string& field) const {
    if (field.find_first_of(separator_ + "\"\r\n") == std::string::npos) return field;
    std::string out = "\"";
    for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  }

  void line(const std::vector<std::string>& fields) const {
    std::string text;
    for (std::size_t i = 0; i < fields.size(); ++i) text += (i ? separator_ : "") + quoted(fields[i]);
    fmt::print(out_, "{}\n", text);
  }

  std::FILE* out_;
  std::string separator_;
};

}  // namespace

std::unique_ptr<StatRenderer> make_csv_renderer(std::FILE* out, std::string separator) {
  return std::make_unique<CsvRenderer>(out, std::move(separator));
}

}  // namespace cpmu::cli
