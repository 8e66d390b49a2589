// The perf counting backend: counts through perf_event_open(2) on any kernel
// PMU (cxl_pmu_memX.Y, software, msr, ...) as a CounterBackend, so the
// monitor and every front end work over it as over the direct backend. The
// kernel places and multiplexes the events; its time_enabled/time_running
// reach CountValue unchanged. Each group is one read() of
// PERF_FORMAT_GROUP|ID|TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING per CPU; counts
// of a PMU with several CPUs (or none named) are summed over them, as
// perf stat -a does.
//
// Internal to libcpmu: Session::count() opens it for kernel-owned CPMUs.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/counting.hpp"
#include "cpmu/perf_pmu.hpp"

namespace cpmu {

// One event to open.
struct PerfCount {
  std::string label;
  PerfConfig config;
  // perf_event_attr.type when not the PMU's (host CPU events: hardware,
  // hw-cache, raw), and the exclude_user/kernel/hv bits libpfm4 chose.
  std::optional<std::uint32_t> type;
  bool exclude_user = false, exclude_kernel = false, exclude_hv = false;
  // Why the kernel cannot count it (the event is then not opened and reads
  // as not supported), e.g. a filter its driver lacks.
  std::string unsupported;
  // A doubt every value of it carries (a kernel quirk, facts 2.7); the plan
  // says it too.
  std::string doubt;
};

struct PerfBackendOptions {
  NowFunction now;  // empty: steady_now()
  // Indices into the counts: each inner list is one perf group, scheduled
  // all or nothing. Empty: every count its own group, so the kernel
  // multiplexes them one by one as perf stat does.
  std::vector<std::vector<std::size_t>> groups;
  // The PMU's counter width, when known and below 64: the kernel's totals
  // are then taken modulo 2^width between reads (read at least every
  // service_period()), which removes the lap cxl_pmu adds twice when an
  // overflow interrupt follows a read (facts 2.9), and every removal is
  // noted on the value.
  std::optional<unsigned> counter_width;
  // Count this task (0: the caller) on any CPU instead of system-wide on
  // the PMU's CPUs. For PMUs that allow it (software), without privileges.
  std::optional<pid_t> task;
  std::string paranoid_file = "/proc/sys/kernel/perf_event_paranoid";
  std::string online_cpus = "/sys/devices/system/cpu/online";
};

// How often a backend with a known counter width reads the kernel's totals.
inline constexpr std::chrono::nanoseconds kPerfLapPollPeriod = std::chrono::milliseconds(100);

// Opens every count (disabled). Fails on a permission error (naming the
// perf_event_paranoid value, CAP_PERFMON and the command that fixes it) or
// when the PMU is gone; an event the kernel rejects is planned as not
// supported with the kernel's reason, and the rest still count.
Result<std::unique_ptr<CounterBackend>> open_perf_backend(const PerfPmu& pmu, std::vector<PerfCount> counts,
                                                          PerfBackendOptions options = {});

// The message for a perf_event_open refused with EACCES/EPERM.
std::string perf_permission_message(const std::string& what, int error_number, const std::string& paranoid_file);

}  // namespace cpmu
