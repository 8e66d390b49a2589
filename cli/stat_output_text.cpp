// Text output in perf stat's layout: value, event, CPMU, then a '#' comment
// (rate, or why not counted) and the running share when multiplexed.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "cpmu/value_text.hpp"
#include "stat_output.hpp"

namespace cpmu::cli {

namespace {

// An enum's snake_case spelling as words for people: "not_supported" -> "not supported".
std::string words(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

constexpr int kValueWidth = 18;
constexpr int kMinEventWidth = 24;
constexpr int kCpmuWidth = 16;
constexpr const char* kUntrustedMark = "?";
constexpr const char* kEndedMark = "!";

class TextRenderer final : public StatRenderer {
 public:
  explicit TextRenderer(std::FILE* out) : out_(out) {}

  void plan(const std::vector<PlanRow>& rows) override {
    // The width once per call, not once per row: thousands of rows stay linear.
    const int width = event_width(rows);
    std::string last_cpmu;
    for (const PlanRow& row : rows) {
      if (row.cpmu != last_cpmu) {
        fmt::print(out_, "{}{}:\n", last_cpmu.empty() ? "" : "\n", row.cpmu);
        last_cpmu = row.cpmu;
        if (!row.unusable.empty()) fmt::print(out_, "  cannot count here: {}\n", row.unusable);
      }
      if (!row.planned) continue;
      const PlannedCount& p = *row.planned;
      const std::string counter = p.counter ? fmt::format("counter {}", *p.counter) : "-";
      fmt::print(out_, "  {:<{}} {:<14} {:<11} {}\n", row.event, width, words(placement_name(p.placement)), counter,
                 p.reason);
    }
  }

  void interval(const Snapshot& snapshot, const std::vector<StatRow>& rows) override {
    const int width = event_width(rows);
    if (!interval_header_printed_) {
      fmt::print(out_, "#{:>15} {:>{}}   {:<{}} {:<{}}\n", "time", "counts", kValueWidth, "event", width, "cpmu",
                 kCpmuWidth);
      interval_header_printed_ = true;
    }
    for (const StatRow& row : rows) {
      fmt::print(out_, "{:>16} {}\n", seconds(snapshot.elapsed_ns()), count_line(snapshot, row, width, true));
    }
    for (const MetricValue& metric : snapshot.metrics) {
      fmt::print(out_, "{:>16} {}\n", seconds(snapshot.elapsed_ns()), metric_line(snapshot, metric, width, true));
    }
  }

  void totals(const Snapshot& snapshot, const std::vector<StatRow>& rows, const StatRun& run) override {
    fmt::print(out_, "\n Performance counter stats for '{}'{}{}:\n\n", run.target,
               run.repeats > 1 ? fmt::format(" ({} runs)", run.repeats) : "", run.interrupted ? " (interrupted)" : "");
    const int width = event_width(rows);
    for (const StatRow& row : rows) fmt::print(out_, "{}\n", count_line(snapshot, row, width, false));
    if (!snapshot.metrics.empty()) fmt::print(out_, "\n");
    for (const MetricValue& metric : snapshot.metrics) {
      fmt::print(out_, "{}\n", metric_line(snapshot, metric, width, false));
    }
    fmt::print(out_, "\n{:>{}} seconds time elapsed{}\n", seconds(snapshot.elapsed_ns()), kValueWidth,
               run.elapsed_noise_pct ? fmt::format("  ( +- {:5.2f}% )", *run.elapsed_noise_pct) : "");
    footnotes(snapshot, rows);
  }

 private:
  template <typename Rows>
  static int event_width(const Rows& rows) {
    std::size_t width = kMinEventWidth;
    for (const auto& row : rows) width = std::max(width, row.event.size());
    return static_cast<int>(width);
  }

  std::string count_line(const Snapshot& snapshot, const StatRow& row, int width, bool interval) {
    const RowFigures f = row_figures(snapshot, row, interval);
    if (!f.series) return not_supported_line(row.event, "-", row.reason, width);
    const std::string& cpmu = f.cpmu_label;
    const CountValue& count = f.figures->count;
    std::string mark = !count.trusted ? kUntrustedMark : f.series->ended ? kEndedMark : "";
    if (count.state == CountState::kNotSupported) {
      return not_supported_line(row.event, cpmu, f.series->info->placement_reason, width);
    }
    if (count.state == CountState::kNotCounted || !f.figures->estimate) {
      return fmt::format("{:>{}} {:<3} {:<{}} {}", "<not counted>", kValueWidth, mark, row.event, width, cpmu);
    }
    std::string line = fmt::format("{:>{}} {:<3} {:<{}} {:<{}}", count_value(*f.figures->estimate), kValueWidth, mark,
                                   row.event, width, cpmu, kCpmuWidth);
    if (f.figures->rate) line += fmt::format(" # {:>16}", per_second(*f.figures->rate));
    if (!interval && row.noise_pct) line += fmt::format("  ( +- {:5.2f}% )", *row.noise_pct);
    if (f.figures->running_share && *f.figures->running_share < 1.0) {
      line += fmt::format("  ({})", percent(*f.figures->running_share));
    }
    return line;
  }

  std::string metric_line(const Snapshot& snapshot, const MetricValue& metric, int width, bool interval) {
    const std::string cpmu = snapshot.sources[metric.source].identity->name.to_string();
    if (!metric.not_supported.empty()) {
      return not_supported_line(metric.name, cpmu, metric.not_supported, width);
    }
    const std::optional<double> value = interval ? metric.interval_value : metric.total_value;
    const std::string shown = value ? quantity(*value, metric.unit) : "<not counted>";
    return fmt::format("{:>{}} {:<3} {:<{}} {:<{}} # metric", shown, kValueWidth, metric.trusted ? "" : kUntrustedMark,
                       metric.name, width, cpmu, kCpmuWidth);
  }

  // The reason is given the first time an event on a CPMU is shown, not on
  // every interval line after it (perf gives it once too).
  std::string not_supported_line(const std::string& event, const std::string& cpmu, const std::string& reason,
                                 int width) {
    std::string line =
        fmt::format("{:>{}}     {:<{}} {:<{}}", "<not supported>", kValueWidth, event, width, cpmu, kCpmuWidth);
    if (explained_.insert({event, cpmu}).second) line += " # " + reason;
    return line;
  }

  void footnotes(const Snapshot& snapshot, const std::vector<StatRow>& rows) const {
    bool first = true;
    auto note = [&](const char* mark, const std::string& text) {
      fmt::print(out_, "{} {} {}\n", first ? "\n" : "", mark, text);
      first = false;
    };
    for (const StatRow& row : rows) {
      const RowFigures f = row_figures(snapshot, row, false);
      if (f.series && !f.figures->count.trusted) {
        note(kUntrustedMark, fmt::format("not exact: {} {}: {}", f.cpmu_label, row.event, f.figures->count.doubt));
      }
    }
    for (const SourceStatus& cpmu : snapshot.sources) {
      if (cpmu.health == SourceHealth::kRemoved) {
        note(kEndedMark,
             fmt::format("{} was removed; its counts end there: {}", cpmu.identity->name.to_string(), cpmu.error));
      }
    }
  }

  std::FILE* out_;
  bool interval_header_printed_ = false;
  std::set<std::pair<std::string, std::string>> explained_;  // (event, cpmu) whose reason was shown
};

}  // namespace

std::unique_ptr<StatRenderer> make_text_renderer(std::FILE* out) { return std::make_unique<TextRenderer>(out); }

}  // namespace cpmu::cli
