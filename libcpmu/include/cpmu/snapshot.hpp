// Snapshots: what the monitor publishes. A snapshot is built once, then only
// ever shared as std::shared_ptr<const Snapshot>: readers on any thread may
// keep one as long as they like, and it never changes under them.
//
// One series is one count request on one monitored source: a CPMU today; host
// CPU events and a remote exporter's feed fit the same identity, so the
// snapshot and its JSON schema need not change for them. Every number a front end shows
// is here already (totals, deltas, rates, running shares, metrics), so front
// ends format; they do not compute counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/cdat_perf.hpp"
#include "cpmu/component_kind.hpp"
#include "cpmu/counting.hpp"
#include "cpmu/cpmu_name.hpp"
#include "cpmu/export.hpp"
#include "cpmu/units.hpp"

namespace cpmu {

// What a monitored source is.
enum class SourceKind {
  kCpmu,      // a CXL CPMU on this machine
  kHostCpu,   // the host CPU's events (perf/libpfm4): cpu and socket say which
  kRemote,    // a CPMU another machine's exporter reports: host says which machine
};
CPMU_API std::string_view source_kind_name(SourceKind kind);   // "cpmu", "host_cpu", "remote"

// Who a monitored source is, and for a CPMU what its function's CDAT says it
// can carry (for utilisation against capacity). Fixed for the monitor's
// lifetime. Fields that do not apply to a kind are left empty.
struct SourceIdentity {
  SourceKind source_kind = SourceKind::kCpmu;
  CpmuName name;                  // kCpmu, kRemote: "0000:0d:00.0/0"
  ComponentKind kind = ComponentKind::kOther;   // kCpmu, kRemote: the CPMU's component
  std::string memdev;             // "mem0"; empty where the kernel has no name
  std::string kernel_device;      // "pmu_mem0.0"
  std::string perf_pmu;           // "cxl_pmu_mem0.0"
  std::vector<CdatRangePerf> cdat_ranges;       // endpoints: per DPA range
  std::vector<CdatPortPerf> cdat_port_pairs;    // switches: per port pair
  // kCpmu, kRemote: where the component sits, so a recording or a remote
  // feed can draw the topology tree without the machine: its ancestors,
  // outermost first - the host bridge ("pci0000:0c"), then each bridge
  // function's address ("0000:0c:00.0") down to the component's parent.
  std::vector<std::string> upstream;
  // kCpmu, kRemote: the component's negotiated PCIe link (capacity where CDAT
  // gives none); none where it has no link or it was not read.
  std::optional<double> link_gt_s;              // 2.5 ... 64
  std::optional<unsigned> link_width;           // lanes
  std::string host;               // kRemote: the exporter's host name
  std::optional<unsigned> cpu;    // kHostCpu: the CPU counted, none for all of a socket's
  std::optional<unsigned> socket; // kHostCpu: the socket
  bool operator==(const SourceIdentity&) const = default;
};

enum class SourceHealth {
  kCounting,   // read fine at this snapshot
  kError,      // the last read or service failed; values are the last good ones
  kRemoved,    // the device is gone: its series have ended with their last good values
};
CPMU_API std::string_view source_health_name(SourceHealth health);   // "counting", "error", "removed"

struct SourceStatus {
  std::shared_ptr<const SourceIdentity> identity;
  std::string backend;            // CounterBackend::kind(): "direct", "perf"
  SourceHealth health = SourceHealth::kCounting;
  std::string error;              // kError, kRemoved: what happened, naming the CPMU
  std::uint64_t sample_ns = 0;    // the backend's timestamp of the values in this snapshot
  std::uint64_t interval_ns = 0;  // since this CPMU's previous sample (or its start)
};

// A series' figures over one span: since the start (totals) or since the
// previous snapshot (the interval).
struct SeriesFigures {
  // Interval: raw and times are differences of the totals; state and trust
  // are the total's.
  CountValue count;
  std::optional<double> estimate;        // count scaled for multiplexing; none if it never ran
  // Per second: of the CPMU's sampling interval, or of the time enabled for
  // totals.
  std::optional<double> rate;
  std::optional<double> running_share;   // time running / time enabled, 0..1; none if never enabled
  bool operator==(const SeriesFigures&) const = default;
};

// What a series is: one request on one CPMU. Fixed for the monitor's
// lifetime, so every snapshot shares one copy.
struct SeriesInfo {
  std::size_t source = 0;         // index into Snapshot::sources
  std::string label;              // as the user wrote the event
  EventSelection event;
  Placement placement = Placement::kNotSupported;
  std::string placement_reason;   // from the plan; why not, for kNotSupported
  bool operator==(const SeriesInfo&) const = default;
};

struct SeriesValue {
  std::shared_ptr<const SeriesInfo> info;
  SeriesFigures total;            // since start
  SeriesFigures interval;         // since the previous snapshot
  bool ended = false;             // the CPMU was removed; total is final
};

// A derived metric (cpmu-events(5)) on one CPMU that counts all its inputs.
struct MetricValue {
  std::size_t source = 0;         // index into Snapshot::sources
  std::string name;
  Unit unit = Unit::kRatio;
  std::optional<double> interval_value;   // over the interval (deltas)
  std::optional<double> total_value;      // over the whole run (totals)
  bool trusted = true;            // every input is trusted
  // Why the source cannot give this metric (an input it does not count), as
  // perf shows <not supported> rather than leaving the metric out; empty
  // when it is evaluated.
  std::string not_supported;
  bool operator==(const MetricValue&) const = default;
};

struct Snapshot {
  std::uint64_t sequence = 0;      // 1, 2, ... in publication order
  std::uint64_t timestamp_ns = 0;  // the monitor's clock
  // The same moment in wall-clock time (ns since the Unix epoch), for
  // recordings and exporters that line snapshots up with other logs.
  std::uint64_t wall_time_ns = 0;
  std::uint64_t start_ns = 0;      // when counting started
  std::uint64_t interval_ns = 0;   // since the previous snapshot (or the start)
  std::vector<SourceStatus> sources;
  std::vector<SeriesValue> series; // grouped by CPMU, each in request order
  std::vector<MetricValue> metrics;

  std::uint64_t elapsed_ns() const { return timestamp_ns - start_ns; }
};

// One entry of a series' history: the figures a graph needs, kept small
// (and trivially copyable) because a monitor keeps depth x series of them.
struct HistoryPoint {
  std::uint64_t sequence = 0;      // the snapshot it belongs to
  std::uint64_t timestamp_ns = 0;  // the backend's sample time
  std::uint64_t total = 0;         // raw total
  std::uint64_t delta = 0;         // raw, since the previous point
  std::optional<double> rate;      // the interval's rate per second
  CountState state = CountState::kNotCounted;
  bool trusted = true;
};

}  // namespace cpmu
