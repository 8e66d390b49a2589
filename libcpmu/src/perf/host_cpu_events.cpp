// libpfm4 encodings of host CPU event names, counted by the perf backend.
// perfmon's headers carry their own perf_event.h: this file includes no
// <linux/perf_event.h> (the two clash).
#include <fmt/format.h>
#include <perfmon/pfmlib_perf_event.h>

#include <cstring>
#include <mutex>

#include "cpmu/host_cpu.hpp"
#include "perf/perf_backend.hpp"

namespace cpmu {

namespace {

// libpfm4 is initialised once and, having no documented thread safety,
// used under one lock.
std::mutex& pfm_lock() {
  static std::mutex lock;
  return lock;
}

Result<void> pfm_ready() {
  static const int status = pfm_initialize();
  if (status != PFM_SUCCESS) {
    return Error(Errc::kUnsupported, fmt::format("libpfm4 cannot start: {}", pfm_strerror(status)));
  }
  return {};
}

// The PMUs libpfm4 found on this machine, for messages ("perf, perf_raw").
std::string present_pmus() {
  std::string out;
  for (int p = PFM_PMU_NONE; p < PFM_PMU_MAX; ++p) {
    pfm_pmu_info_t info{};
    info.size = sizeof info;
    if (pfm_get_pmu_info(static_cast<pfm_pmu_t>(p), &info) == PFM_SUCCESS && info.is_present) {
      out += fmt::format("{}{}", out.empty() ? "" : ", ", info.name);
    }
  }
  return out.empty() ? "none" : out;
}

PerfCount encode(const std::string& name) {
  PerfCount count;
  count.label = name;
  perf_event_attr attr{};
  attr.size = sizeof attr;
  pfm_perf_encode_arg_t arg{};
  arg.attr = &attr;
  arg.size = sizeof arg;
  const int status = pfm_get_os_event_encoding(name.c_str(), PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
  if (status != PFM_SUCCESS) {
    count.unsupported = fmt::format("libpfm4 does not know '{}' on this CPU: {} (its PMUs here: {})", name,
                                    pfm_strerror(status), present_pmus());
    return count;
  }
  count.type = attr.type;
  count.config.config = attr.config;
  count.config.config1 = attr.config1;
  count.config.config2 = attr.config2;
  count.exclude_user = attr.exclude_user != 0;
  count.exclude_kernel = attr.exclude_kernel != 0;
  count.exclude_hv = attr.exclude_hv != 0;
  return count;
}

}  // namespace

Result<void> host_cpu_event_known(const std::string& name) {
  std::lock_guard<std::mutex> hold(pfm_lock());
  if (auto ready = pfm_ready(); !ready) return ready.error();
  PerfCount count = encode(name);
  if (!count.unsupported.empty()) return Error(Errc::kNotFound, count.unsupported);
  return {};
}

Result<HostCpuEvents> open_host_cpu_events(const std::vector<std::string>& names, NowFunction now) {
  std::vector<PerfCount> counts;
  {
    std::lock_guard<std::mutex> hold(pfm_lock());
    const Result<void> ready = pfm_ready();
    for (const std::string& name : names) {
      if (ready) {
        counts.push_back(encode(name));
      } else {
        counts.push_back(PerfCount{name, {}, {}, false, false, false, ready.error().message(), {}});
      }
    }
  }
  // No sysfs PMU stands behind these (each count brings its own type): a
  // PMU naming no CPU, so every online CPU is counted.
  PerfPmu host;
  host.name = "host CPU";
  PerfBackendOptions options;
  options.now = std::move(now);
  auto backend = open_perf_backend(host, std::move(counts), std::move(options));
  if (!backend) return backend.error();
  HostCpuEvents out;
  out.identity.source_kind = SourceKind::kHostCpu;
  for (const std::string& name : names) {
    CountRequest r;
    r.label = name;
    out.requests.push_back(std::move(r));
  }
  out.backend = std::move(*backend);
  return out;
}

}  // namespace cpmu
