// CSV output (-x SEP), fields in perf stat's order with the CPMU where perf
// puts its aggregation id: [time,]cpmu,value,unit,event,running_ns,
// running_pct,rate,rate_unit,flags[,noise_pct with -r N]. A field holding the separator or a quote
// is quoted (RFC 4180), since raw event terms contain commas.
#include <fmt/format.h>

#include <cmath>

#include "stat_output.hpp"
#include "cpmu/value_text.hpp"

namespace cpmu::cli {

namespace {

class CsvRenderer final : public StatRenderer {
 public:
  CsvRenderer(std::FILE* out, std::string separator, bool summary)
      : out_(out), separator_(std::move(separator)), summary_(summary) {}

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
    intervals_printed_ = true;
    counts(snapshot, rows, true);
  }

  // After interval lines the totals keep the time column (the elapsed
  // time), so every line of one output has the same fields.
  void totals(const Snapshot& snapshot, const std::vector<StatRow>& rows, const StatRun& run) override {
    counts(snapshot, rows, false, run.repeats > 1);
  }

 private:
  // repeated (-r N): a last field, the spread of the mean in percent.
  void counts(const Snapshot& snapshot, const std::vector<StatRow>& rows, bool interval, bool repeated = false) {
    std::vector<std::string> time;
    if (intervals_printed_) time.push_back(!interval && summary_ ? "summary" : seconds(snapshot.elapsed_ns()));
    for (const StatRow& row : rows) {
      std::vector<std::string> fields = time;
      append(fields, count_fields(snapshot, row, interval));
      if (repeated) fields.push_back(row.noise_pct ? fmt::format("{:.2f}", *row.noise_pct) : "");
      line(fields);
    }
    for (const MetricValue& metric : snapshot.metrics) {
      const std::optional<double> value = interval ? metric.interval_value : metric.total_value;
      std::string shown = value ? plain_number(*value) : "<not counted>";
      if (!metric.not_supported.empty()) shown = "<not supported>";
      std::vector<std::string> fields = time;
      append(fields,
             {snapshot.sources[metric.source].identity->name.to_string(), shown, std::string(unit_name(metric.unit)),
              metric.name, "", "", "", "", metric.trusted ? "" : "untrusted"});
      line(fields);
    }
  }

  // A metric value as a plain decimal (perf prints no exponents): six
  // decimals, trailing zeros dropped; 2.5e9 -> "2500000000", 0.25 -> "0.25".
  static std::string plain_number(double value) {
    std::string text = fmt::format("{:.6f}", value);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text == "-0" ? "0" : text;
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
    return {f.cpmu_label,
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
  bool summary_;
  bool intervals_printed_ = false;
};

}  // namespace

std::unique_ptr<StatRenderer> make_csv_renderer(std::FILE* out, std::string separator, bool summary) {
  return std::make_unique<CsvRenderer>(out, std::move(separator), summary);
}

}  // namespace cpmu::cli
