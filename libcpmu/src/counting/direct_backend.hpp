// The direct-register counting backend: cpmu's own CPMU driver. It programs
// the CPMU block through the platform's MMIO window and keeps exact 64-bit
// totals for every counter width, with overflow interrupts where the platform
// delivers them and polling otherwise. How it schedules, tracks wraps,
// multiplexes and what makes a value untrusted: docs/counting.md.
//
// Internal to libcpmu: programs count through Session::count() (session.hpp),
// which annotates ownership first and never opens this backend on a CPMU the
// kernel's cxl_pmu driver owns.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cpmu/counter_scheduler.hpp"
#include "cpmu/counting.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/export.hpp"
#include "cpmu/platform.hpp"

namespace cpmu {

struct DirectBackendOptions {
  NowFunction now;  // empty: steady_now()
  // How long each multiplexed request stays on a counter before service()
  // rotates the next ones in.
  std::chrono::nanoseconds rotation_period = std::chrono::milliseconds(10);
  std::vector<std::string> lock_directories;  // empty: cpmu_lock_directories()
  // Off: poll even where the CPMU and the platform can deliver overflow
  // interrupts (the platform's kUnsupported always means polling).
  bool use_interrupts = true;
  // Off: never write the Freeze register. On, Freeze is used where the CPMU
  // has it to start every counter at one instant and to rotate multiplexed
  // requests.
  bool use_freeze = true;
  // Also freeze for every sample, for values of one instant. Events while
  // frozen are lost (with 0.5-1 us register reads, several us per sample),
  // so totals then carry a doubt with the estimated loss. Off, samples are
  // read unfrozen and race-free (docs/counting.md, "Snapshots and freeze").
  bool freeze_reads = false;
};

// The shortest service_period() asked of a polling caller: what a thread can
// keep. A polled counter that can lap faster is flagged when it wraps.
inline constexpr std::chrono::nanoseconds kMinPollingPeriod = std::chrono::milliseconds(1);

// Opens CPMU `cpmu` of `function` for `requests`. Refuses a CPMU the kernel's
// cxl_pmu driver owns (kOwnedByDriver: count it through the perf backend) and
// one another process has open (kBusy, naming its pid and lock file). Nothing
// is programmed until start(). The platform must outlive the backend.
// Not thread-safe: one thread makes every call.
Result<std::unique_ptr<CounterBackend>> open_direct_backend(Platform& platform, const DiscoveredFunction& function,
                                                            const Cpmu& cpmu, std::vector<CountRequest> requests,
                                                            DirectBackendOptions options = {});

}  // namespace cpmu
