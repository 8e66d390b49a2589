// The session: the way in for every front end. One call opens a machine by
// source (the running Linux machine, an lspci dump, the simulated machine),
// discovers it, builds its topology and annotates who owns each CPMU -
// always, so that no caller can forget the rule that keeps cpmu off a CPMU
// the kernel's cxl_pmu driver drives. From a session: the machine, its
// topology, CDAT context, the event catalogue, CPMUs by selector
// (selector.hpp) and count(), which picks a counting backend per CPMU and
// returns a ready monitor.
//
// A session is used from one thread. It must outlive the monitors it
// returns (their backends reach the hardware through its platform).
#pragma once

#include "cpmu/export.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/backend_choice.hpp"
#include "cpmu/cdat.hpp"
#include "cpmu/cdat_context.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/events.hpp"
#include "cpmu/monitor.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/result.hpp"
#include "cpmu/selector.hpp"
#include "cpmu/topology.hpp"

namespace cpmu {

struct SessionOptions {
  PlatformSource source;
  // The kernel's CXL and perf views. The running machine uses the defaults
  // when this is empty; another source (a dump, the simulator) is another
  // machine and reads none unless one is given (tests give fake trees).
  std::optional<SysfsRoots> kernel;
  std::optional<EventSearchPath> events;   // default: default_event_search_path()
  DiscoveryOptions discovery;
};

// One CPMU to count on, and what.
struct CountTarget {
  CpmuRef cpmu;
  std::vector<CountRequest> requests;
  // A CPMU the user named: when it cannot count, count() fails, naming it.
  // Otherwise (chosen only by a broad selection) it is skipped with a reason.
  bool required = true;
};

struct CountOptions {
  MonitorOptions monitor;
  // kAuto: the perf backend for a CPMU the kernel's cxl_pmu driver owns, the
  // direct backend otherwise (decide_backend(), backend_choice.hpp).
  BackendChoice backend = BackendChoice::kAuto;
  // Count the CPMUs that can be used even when a required one cannot; every
  // CPMU left out is in Counting::skipped with the reason.
  bool keep_going = false;
  // Direct backend (DirectBackendOptions): off polls instead of using
  // overflow interrupts, or never writes the Freeze register (tests,
  // comparisons).
  bool use_interrupts = true;
  bool use_freeze = true;
};

struct SkippedCpmu {
  CpmuRef cpmu;
  std::string name;     // "0000:0d:00.0/0"
  std::string reason;   // why it cannot count here, and what to do instead
};

struct Counting {
  std::unique_ptr<Monitor> monitor;   // created, not started (over no CPMU when none can count)
  std::vector<CpmuRef> cpmus;         // the monitored CPMUs, in Snapshot::sources order
  std::vector<SkippedCpmu> skipped;
};

// Why a discovered CPMU cannot be counted by any backend, or empty when it
// can: capabilities unknown (and no kernel driver to count through), owned by
// another cpmu process.
CPMU_API std::string cpmu_unusable_reason(const Cpmu& cpmu);

class CPMU_API Session {
 public:
  static Result<std::unique_ptr<Session>> open(SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const PlatformBackend& backend() const;   // its name, and whether it is the running machine
  Platform& platform();
  const DiscoveredMachine& machine() const;
  const Topology& topology() const;
  const KernelCxlView& kernel() const;       // empty where none was read
  const SysfsRoots& kernel_roots() const;    // where it was read from (or would be)

  // The event catalogue, with the problems of the files it skipped (loaded
  // on first use).
  const CatalogueLoad& catalogue();
  // Every CDAT-carrying function's table (read on first use: DOE exchanges).
  const CdatContext& cdat(const CdatReadOptions& options = {});

  // The CPMU lock directories this session's counting uses: the usual ones
  // on the running machine, a private one (or $CPMU_LOCK_DIR) otherwise.
  const std::vector<std::string>& lock_directories();

  // Opens a backend for every target and returns the monitor over them.
  // Fails (naming every CPMU that cannot count, and why) when a required
  // target cannot count and keep_going is off.
  Result<Counting> count(std::vector<CountTarget> targets, CountOptions options);

  struct State;

 private:
  explicit Session(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace cpmu
