// Host CPU events beside the CPMUs' (LLC misses, cycles, memory-bound
// stalls): names libpfm4 knows for this CPU ("cycles", "LLC-load-misses",
// model-specific "INST_RETIRED:ANY_P"), encoded with
// pfm_get_os_event_encoding() and counted through perf_event_open(2)
// system-wide on every online CPU, summed. A name libpfm4 does not know, a
// PMU the machine lacks (a VM has no cpu PMU) or a refused open is
// <not supported> with the reason; the other events still count.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cpmu/counting.hpp"
#include "cpmu/export.hpp"
#include "cpmu/result.hpp"
#include "cpmu/snapshot.hpp"

namespace cpmu {

struct HostCpuEvents {
  SourceIdentity identity;             // kHostCpu, every CPU
  std::vector<CountRequest> requests;  // one per name, labelled with it
  std::unique_ptr<CounterBackend> backend;
};

// Fails only when nothing can be opened at all: a refused permission
// (naming perf_event_paranoid, CAP_PERFMON and the fix) or no online CPUs.
CPMU_API Result<HostCpuEvents> open_host_cpu_events(const std::vector<std::string>& names, NowFunction now = {});

// Whether libpfm4 knows `name` on this machine (for telling host events
// from mistyped catalogue names); the reason when it does not.
CPMU_API Result<void> host_cpu_event_known(const std::string& name);

}  // namespace cpmu
