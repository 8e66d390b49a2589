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
#include "cpmu/json.hpp"
#include "cpmu/recording.hpp"
#include "cpmu/session.hpp"
#include "cpmu/snapshot.hpp"

namespace cpmu::cli {

// One line of counts: an event on a CPMU, or an event no CPMU counts; its
// event is as the user wrote it (without a PMU/.../ wrapper). Every format
// shows the same rows, so the JSON codec's line is the row.
using StatRow = json::CountLine;

// One line of --plan: an event on a CPMU and where it would be counted.
using PlanRow = json::PlanLine;

struct StatRun {
  std::string target;       // "system wide", or the command as typed
  bool interrupted = false; // ended by SIGINT/SIGTERM
  unsigned repeats = 1;     // -r N: the totals are means of this many runs
  std::optional<double> elapsed_noise_pct;  // with repeats > 1: the elapsed time's spread
};

// The figures one row shows, picked from a snapshot: the interval's or the totals'.
struct RowFigures {
  const SeriesValue* series = nullptr;   // null: not counted anywhere
  const SourceStatus* cpmu = nullptr;
  const SeriesFigures* figures = nullptr;
  std::string cpmu_label;  // the CPMU's name, or what an aggregate line sums
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
// summary (--summary): after -I, the totals' time column reads "summary".
std::unique_ptr<StatRenderer> make_csv_renderer(std::FILE* out, std::string separator, bool summary);
std::unique_ptr<StatRenderer> make_json_renderer(std::FILE* out);
// cpmu record: every snapshot a frame of the recording `writer` writes to `path`.
std::unique_ptr<StatRenderer> make_recording_renderer(RecordingWriter writer, std::string path);
// The header of a recording of `session`'s machine at -I interval_ms.
RecordingHeader recording_header(Session& session, unsigned interval_ms);

}  // namespace cpmu::cli
