// How `cpmu stat` lines up counts as perf stat does for uncore PMUs: an
// event written once and counted on several CPMUs of one component kind (a
// PMU glob, or a bare event with -a, -s, -m, --cpmu) is one line summing
// them by default, labelled with the glob or KIND:N ("endpoint:4"), as perf
// merges same-named PMUs; -A/--no-merge gives a line per CPMU, and
// --per-device a line per PCI function summing its CPMUs. Sums are formed
// from the monitor's figures here, so every renderer shows the same lines.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/snapshot.hpp"
#include "cpmu/units.hpp"
#include "stat_output.hpp"

namespace cpmu::cli {

enum class Aggregation {
  kMerge,      // the default: one line per event and component kind
  kPerCpmu,    // -A, --no-merge
  kPerDevice,  // --per-device: one line per event and PCI function
};

// One -e term and the series it is counted in.
struct TermSeries {
  std::string event;
  std::optional<Unit> unit;
  std::string pmu;                  // the PMU part as written (a glob), or empty
  std::vector<std::size_t> series;  // indices into Snapshot::series
  std::string reason;               // no series: why nothing counts it
};

// The snapshot a renderer is given: the monitor's, with a summed series
// appended for each line that sums several, and the lines.
struct AggregatedView {
  Snapshot snapshot;
  std::vector<StatRow> rows;
};

AggregatedView aggregate(const Snapshot& snapshot, const std::vector<TermSeries>& terms, Aggregation mode);

// -r N: the last run's view with each line's total and each metric the
// mean over the runs, and each line's noise_pct (perf's "+- x.xx%": the
// standard error of the mean as a percent of it) when there are several;
// elapsed_noise_pct likewise for the elapsed time. The runs have the same
// lines, as they count the same events on the same CPMUs.
AggregatedView average_runs(const std::vector<AggregatedView>& runs, std::optional<double>& elapsed_noise_pct);

// The sum of several series' figures over one span: counts, raw values and
// enabled/running times add; the running share is that of the sums; trust
// is every member's. Counted when any member is; not supported when all are.
SeriesFigures sum_figures(const std::vector<const SeriesFigures*>& members);

}  // namespace cpmu::cli
