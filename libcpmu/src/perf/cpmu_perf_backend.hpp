// A CPMU counted through the kernel's cxl_pmu driver: its perf PMU found
// through sysfs (the PMU's parent pmu_memX.Y and that device's parent PCI
// function), cpmu's event selections encoded with the PMU's own format/
// fields, and the driver's known programming quirk flagged (facts 2.7).
//
// Internal to libcpmu: Session::count() uses it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/counting.hpp"
#include "cpmu/discovered_machine.hpp"
#include "cpmu/perf_pmu.hpp"

namespace cpmu {

// The perf config words of `selection` through `pmu`'s format fields (mask,
// gid, vid, threshold, edge, invert, hdm_filter_en, hdm).
Result<PerfConfig> cxl_perf_config(const PerfPmu& pmu, const EventSelection& selection);

// Why the kernel's cxl_pmu driver will count `selections[i]` wrongly on a CPMU
// with these capabilities, or empty: it programs Event Group ID Index 0 into
// every configurable counter, so an event whose capability is at another index
// counts capability 0's group (facts 2.7). Allocation is simulated as the
// driver does it, in request order (a busy fixed counter falls back to the
// configurable pool).
std::vector<std::string> cxl_pmu_quirks(const CpmuCapabilities& capabilities,
                                        const std::vector<EventSelection>& selections);

struct CpmuPerfOptions {
  std::string event_source_root = "/sys/bus/event_source";
  PerfPmuReadOptions read;
  NowFunction now;
};

// Opens the perf backend on CPMU `cpmu` of `function`. Fails when the kernel
// exposes no perf PMU for it (naming what it looked for).
Result<std::unique_ptr<CounterBackend>> open_cpmu_perf_backend(const DiscoveredFunction& function, const Cpmu& cpmu,
                                                               const std::vector<CountRequest>& requests,
                                                               const CpmuPerfOptions& options);

}  // namespace cpmu
