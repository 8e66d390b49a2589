// `cpmu stat` output: one renderer interface, with text (perf stat's
// layout), CSV (-x SEP, perf's field order) and JSON lines (-j)
// implementations. Renderers format what a snapshot holds; they compute no
// counts. Formats and the JSON schema are documented in cpmu(1).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/counting.hpp"
#include "cpmu/snapshot.hpp"

namespace cpmu::cli {

inline constexpr int kStatJsonSchemaVersion = 1;

// One line of counts: an event on a CPMU, or an event no CPMU counts.
struct StatRow {
  std::string event;                   // as the user wrote it (without a PMU/.../ wrapper)
  std::string unit;                    // what one count is ("requests"); may be empty
  std::optional<std::size_t> series;   // index into Snapshot::series
  std::string reason;                  // no series: why nothing counts it
};

// One line of --plan: an event on a CPMU and where it would be counted.
struct PlanRow {
  std::string cpmu;
  std::string event;
  std::optional<PlannedCount> planned;   // absent when the CPMU's capabilities are unknown
  std::string unusable;                  // why cpmu cannot count on this CPMU at all (unknown, owned); or empty
};

struct StatRun {
  std::string target;       // "system wide", or the command as typed
  bool interrupted = false; // ended by SIGINT/SIGTERM
};

// The figures one row shows, picked from a snapshot: the interval's or the totals'.
struct RowFigures {
  const SeriesValue* series = nullptr;   // null: not counted anywhere
  const CpmuStatus* cpmu = nullptr;
  const SeriesFigures* figures = nullptr;
};
RowFigures row_figures(const Snapshot& snapshot, const StatRow& row, bool interval);

class StatRenderer {
 public:
  virtual ~StatRenderer() = default;
  virtual void plan(const std::vector<PlanRow>& rows) = 0;
  // The counts of the interval that ends at this snapshot (-I).
  virtual void interval(const Snapshot& snapshot, const std::vector<StatRow>& rows) = 0;
  // The counts since the start.
  virtual void totals(const Snapshot& snapshot, const std::vector<StatRow>& rows, const StatRun& run) = 0;
};

std::unique_ptr<StatRenderer> make_text_renderer(std::FILE* out);
std::unique_ptr<StatRenderer> make_csv_renderer(std::FILE* out, std::string separator);
std::unique_ptr<StatRenderer> make_json_renderer(std::FILE* out);

}  // namespace cpmu::cli
