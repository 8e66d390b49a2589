// JSON lines (-j): one object per line, written by libcpmu's JSON codec
// (cpmu/json.hpp). Schema: cpmu(1), "JSON OUTPUT", and schema/cpmu.schema.json.
#include <fmt/format.h>

#include "cpmu/json.hpp"
#include "stat_output.hpp"

namespace cpmu::cli {

namespace {

class JsonRenderer final : public StatRenderer {
 public:
  explicit JsonRenderer(std::FILE* out) : out_(out) {}

  void plan(const std::vector<PlanRow>& rows) override {
    for (const PlanRow& row : rows) emit(json::encode_plan_line(row));
  }

  void interval(const Snapshot& snapshot, const std::vector<StatRow>& rows) override {
    counts(snapshot, rows, json::Scope::kInterval);
  }

  void totals(const Snapshot& snapshot, const std::vector<StatRow>& rows, const StatRun& run) override {
    counts(snapshot, rows, json::Scope::kTotal);
    emit(json::encode_summary_line(snapshot, run.target, run.interrupted));
  }

 private:
  void counts(const Snapshot& snapshot, const std::vector<StatRow>& rows, json::Scope scope) {
    for (const StatRow& row : rows) emit(json::encode_count_line(snapshot, row, scope));
    for (std::size_t m = 0; m < snapshot.metrics.size(); ++m) emit(json::encode_metric_line(snapshot, m, scope));
  }

  void emit(const std::string& line) const { fmt::print(out_, "{}\n", line); }

  std::FILE* out_;
};

}  // namespace

std::unique_ptr<StatRenderer> make_json_renderer(std::FILE* out) { return std::make_unique<JsonRenderer>(out); }

}  // namespace cpmu::cli
