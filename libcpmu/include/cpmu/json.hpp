// cpmu's JSON documents, written in one place for every front end: `cpmu
// list/events/cdat/doe --json`, `cpmu stat -j` (JSON lines, the plan among
// them), snapshots for recordings and an exporter's /json. Every document
// carries the one schema_version below and is described by the shipped JSON
// Schema (schema/cpmu.schema.json, installed to ${datadir}/cpmu), one $defs
// entry per document kind. Keys and enum values are snake_case; numbers stay
// numbers; fields that do not apply are left out, never null.
//
// Snapshots also decode, so a recording or an exporter's feed becomes a
// Snapshot again: decode_snapshot(encode_snapshot(s)) equals s.
#pragma once

#include "cpmu/export.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/cdat_context.hpp"
#include "cpmu/counting.hpp"
#include "cpmu/doe.hpp"
#include "cpmu/events.hpp"
#include "cpmu/result.hpp"
#include "cpmu/snapshot.hpp"
#include "cpmu/topology.hpp"
#include "cpmu/units.hpp"

namespace cpmu::json {

inline constexpr int kSchemaVersion = 2;

// `cpmu list --json`: the machine, its host bridges and the selected functions.
struct MachineDocument {
  const DiscoveredMachine* machine = nullptr;
  const Topology* topology = nullptr;
  std::vector<bool> selected;                  // per function; empty: every function
  std::vector<std::string> perf_pmus;          // the kernel's cxl_pmu_* perf PMUs
  const EventCatalogue* catalogue = nullptr;   // names event capabilities; may be null
};
CPMU_API std::string encode_machine(const MachineDocument& document);

// `cpmu events --json`: what each CPMU can count.
struct EventsDocument {
  struct Entry {
    const DiscoveredFunction* function = nullptr;
    const Cpmu* cpmu = nullptr;
  };
  const EventCatalogue* catalogue = nullptr;
  std::vector<Entry> cpmus;
  bool metrics = false;                        // also the metrics each CPMU can compute
};
CPMU_API std::string encode_events(const EventsDocument& document);

// `cpmu events --catalogue --json`: the catalogue's own entries (every
// event, aggregate and metric) and the problems of the files it skipped.
CPMU_API std::string encode_catalogue(const EventCatalogue::Countable& entries, const std::vector<Error>& issues);

// `cpmu cdat --json`: each function's CDAT and what it gives ranges and port pairs.
CPMU_API std::string encode_cdat(const DiscoveredMachine& machine, const CdatContext& context);

// `cpmu doe --json`: each function's mailboxes and their protocols.
CPMU_API std::string encode_doe(const DiscoveredMachine& machine, const std::vector<DoeFunctionReport>& reports);

// `cpmu stat -j`: one JSON object per line, each with schema_version and type.
enum class Scope { kInterval, kTotal };
struct PlanLine {                              // type "plan"
  std::string cpmu;
  std::string event;
  std::optional<PlannedCount> planned;         // absent when the CPMU's capabilities are unknown
  std::string unusable;                        // why cpmu cannot count on this CPMU at all; or empty
};
struct CountLine {                             // type "count": an event on a CPMU, or one nothing counts
  std::string event;                           // as the user wrote it
  std::optional<Unit> unit;                    // none for raw events
  std::optional<std::size_t> series;           // index into Snapshot::series; none: not counted anywhere
  std::string reason;                          // no series: why nothing counts it
  // A line that sums the event over several CPMUs (perf's merge of
  // same-named PMUs, --per-device): what it sums, shown in place of one
  // CPMU's name ("cxl_pmu_mem*", "endpoint:3", "0000:0d:00.0"), and the CPMUs.
  // Its series is the sum. Empty for a line of one CPMU.
  std::string aggregate;
  std::vector<std::string> cpmus;
  // cpmu stat -r N: the line is the mean of N runs, and this its spread,
  // perf's "+- x.xx%": the standard error of the mean, percent of the mean.
  std::optional<double> noise_pct;
};
CPMU_API std::string encode_plan_line(const PlanLine& line);
CPMU_API std::string encode_count_line(const Snapshot& snapshot, const CountLine& line, Scope scope);
CPMU_API std::string encode_metric_line(const Snapshot& snapshot, std::size_t metric, Scope scope);   // type "metric"
CPMU_API std::string encode_summary_line(const Snapshot& snapshot, std::string_view target, bool interrupted);   // "summary"

// A whole snapshot on one line (type "snapshot"): every source, series and metric.
CPMU_API std::string encode_snapshot(const Snapshot& snapshot);
// The snapshot encode_snapshot() wrote. Bad input gives kMalformed naming the
// byte offset or the JSON pointer of the first problem.
CPMU_API Result<Snapshot> decode_snapshot(std::string_view text);

}  // namespace cpmu::json
