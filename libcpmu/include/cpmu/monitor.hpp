// The monitor: one sampling loop over many CPMUs, each counted by its own
// CounterBackend. It services each backend when the backend's service fd is
// readable and at least every service_period(), samples every interval,
// publishes immutable snapshots, keeps a bounded history per series, and
// queues notifications behind one pollable file descriptor.
//
// Notifications and the fd: fd() is readable exactly while a notification is
// pending, and next() never blocks: it returns one when fd() is readable and
// nothing only when it is not (with one consumer; next() is thread-safe, but
// two consumers race for the same notification as they would on any fd).
//
// Time: every timestamp comes from the NowFunction. With Drive::kThread a
// thread sleeps until the next deadline (needs a clock that follows real
// time); with Drive::kManual nothing runs by itself: the caller moves its
// clock (e.g. the simulator's virtual one) and calls step(), so tests are
// deterministic.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/counting.hpp"
#include "cpmu/discovered_machine.hpp"
#include "cpmu/events.hpp"
#include "cpmu/export.hpp"
#include "cpmu/result.hpp"
#include "cpmu/snapshot.hpp"

namespace cpmu {

struct CdatContext;  // cdat_context.hpp
struct Topology;     // topology.hpp

// One CPMU to monitor: who it is, what was asked of its backend (in the
// backend's plan order) and the backend, not yet started.
struct MonitoredCpmu {
  SourceIdentity identity;
  std::vector<CountRequest> requests;
  std::unique_ptr<CounterBackend> backend;
};

// The identity of CPMU `cpmu` of machine.functions[function]: its name,
// kind, kernel names and link, the function's CDAT ranges or port pairs when
// `cdat` (from read_cdat_context()) has them, and its upstream chain when
// `topology` (of the same machine) is given.
CPMU_API SourceIdentity cpmu_identity(const DiscoveredMachine& machine, std::size_t function, const Cpmu& cpmu,
                                      const CdatContext* cdat = nullptr, const Topology* topology = nullptr);

enum class MonitorDrive { kThread, kManual };

struct MonitorOptions {
  std::chrono::nanoseconds interval = std::chrono::seconds(1);   // between snapshots; > 0
  std::size_t history_depth = 600;     // points kept per series; >= 1
  // Pending notifications kept; when full, the oldest pending snapshot
  // notification gives way (a later snapshot supersedes it). Device and
  // untrusted notifications are never dropped. >= 2.
  std::size_t queue_capacity = 256;
  NowFunction now;                     // default: steady_now()
  NowFunction wall_now;                // Snapshot::wall_time_ns; default: wall_clock_now()
  MonitorDrive drive = MonitorDrive::kThread;
  // Derived metrics, evaluated on each CPMU that counts every input (an
  // input is a series whose event is the catalogue's code for the name, with
  // no threshold, edge, invert or filter); on the other CPMUs the metric is
  // there with MetricValue::not_supported naming the missing input. Needs
  // `catalogue`, which must outlive the monitor.
  std::vector<MetricInfo> metrics;
  const EventCatalogue* catalogue = nullptr;
};

enum class NotificationKind {
  kSnapshot,       // a new snapshot was published
  kUntrusted,      // a series' total can no longer be vouched for (e.g. a missed wrap)
  kDeviceRemoved,  // a CPMU's device is gone; its series have ended
  kDeviceError,    // reading or servicing a CPMU failed (its values are the last good ones)
};
CPMU_API std::string_view notification_kind_name(NotificationKind kind);  // "snapshot", "untrusted", ...

// Memory: a notification names its snapshot by sequence number and holds no
// snapshot itself, so however many are pending (a consumer that only reads
// latest() need never drain them), the monitor keeps exactly one snapshot,
// the latest; older ones live only as long as a caller holds them. The queue
// holds at most queue_capacity snapshot notifications plus the device and
// untrusted ones (one per CPMU failure and per series losing trust), each a
// few dozen bytes and its message.
struct Notification {
  NotificationKind kind = NotificationKind::kSnapshot;
  std::uint64_t timestamp_ns = 0;
  // Snapshot::sequence: kSnapshot: of the new one. Otherwise of the snapshot
  // the event was seen in, or 0 when it was seen while servicing (between
  // snapshots). latest() is that snapshot or a newer one that supersedes it.
  std::uint64_t sequence = 0;
  std::optional<std::size_t> cpmu;     // index into Snapshot::sources
  std::optional<std::size_t> series;   // kUntrusted: index into Snapshot::series
  std::string message;                 // names the CPMU (and event); empty for kSnapshot
};

class CPMU_API Monitor {
 public:
  // Fails on bad options, a missing backend, or requests that do not match
  // the backend's plan.
  static Result<std::unique_ptr<Monitor>> create(std::vector<MonitoredCpmu> cpmus, MonitorOptions options);
  ~Monitor();   // stops
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Starts every backend (all or none: on a failure the started ones are
  // stopped again) and, with Drive::kThread, the sampling thread. Totals
  // start at zero; the first snapshot comes one interval later.
  Status start();
  // Stops the thread (also while it waits in poll) and every backend.
  // Idempotent, and final: a stopped monitor does not start again.
  // Snapshots, history and notifications stay readable.
  void stop();

  // Drive::kManual: does what the thread does when it wakes: services the
  // backends whose service fd is readable or whose period has elapsed, and
  // samples if an interval has elapsed since the last scheduled sample.
  // Fails only when called in the wrong mode or state.
  Status step();
  // When step() next has work to do, on the monitor's clock: the next
  // scheduled sample or service period, whichever comes first. Overflow
  // interrupts can make work sooner, and the thread wakes for them at once;
  // a manual driver steps between deadlines too (e.g. every millisecond of
  // its clock), or a fast narrow counter wraps twice unserviced and its
  // total is flagged. Drive::kManual callers advance their clock to it.
  // Nullopt unless started.
  std::optional<std::uint64_t> next_deadline_ns() const;

  // Samples every CPMU now, publishes and returns the snapshot (any mode,
  // while started or after stop; e.g. a final total). Null before start().
  std::shared_ptr<const Snapshot> sample_now();

  std::shared_ptr<const Snapshot> latest() const;   // null until the first snapshot

  int fd() const;
  std::optional<Notification> next();
  std::uint64_t dropped_snapshot_notifications() const;

  // Series are numbered as in every Snapshot::series.
  std::size_t series_count() const;
  std::vector<HistoryPoint> history(std::size_t series) const;   // oldest first

  struct Engine;

 private:
  explicit Monitor(std::unique_ptr<Engine> engine);
  std::unique_ptr<Engine> engine_;
};

}  // namespace cpmu
