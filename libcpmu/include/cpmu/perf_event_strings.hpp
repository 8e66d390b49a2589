// The catalogue's events as perf event strings for a CPMU's kernel PMU, ready
// to paste into `perf stat -a -e`: the kernel's alias where events/ has one
// with the same config (cxl_pmu_mem0.0/clock_ticks/), the PMU's own format
// terms otherwise (cxl_pmu_mem0.0/vid=0x1e98,gid=0x10,mask=0x3e/).
// parse_event_terms() reads every string back into the same event.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cpmu/cpmu_capabilities.hpp"
#include "cpmu/events.hpp"
#include "cpmu/export.hpp"
#include "cpmu/perf_pmu.hpp"

namespace cpmu {

struct PerfEventString {
  std::string event;  // the catalogue name
  EventCode code;
  std::string perf;    // "cxl_pmu_mem0.0/clock_ticks/"
  bool alias = false;  // the kernel names it (events/)
};

// The strings for every catalogue event and aggregate the CPMU can count:
// by its capabilities when known, else the events whose code one of the
// kernel's aliases carries (the kernel lists only what it can count).
CPMU_API std::vector<PerfEventString> perf_event_strings(const PerfPmu& pmu, const EventCatalogue& catalogue,
                                                         const std::optional<CpmuCapabilities>& capabilities);

}  // namespace cpmu
