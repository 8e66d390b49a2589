// Which counting backend counts a CPMU, and why: the direct backend (cpmu
// programs the registers) for a CPMU no kernel driver owns, the perf backend
// (perf_event_open on the kernel's cxl_pmu_memX.Y) for one the kernel's
// cxl_pmu driver owns. `cpmu list` shows the decision, `cpmu stat --backend`
// chooses, Session::count() follows it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/counting.hpp"
#include "cpmu/discovered_machine.hpp"
#include "cpmu/export.hpp"

namespace cpmu {

enum class BackendChoice { kAuto, kDirect, kPerf };
CPMU_API std::string_view backend_choice_name(BackendChoice choice);  // "auto", "direct", "perf"
CPMU_API std::optional<BackendChoice> parse_backend_choice(std::string_view text);

struct BackendDecision {
  std::string backend;  // "direct", "perf", or empty when none can count it
  std::string reason;   // why this backend, or why none
};

// The decision for `cpmu` (annotated by the session) under `choice`.
CPMU_API BackendDecision decide_backend(const Cpmu& cpmu, BackendChoice choice = BackendChoice::kAuto);

// What the chosen backend would do with `requests`, without opening it: the
// direct backend's counter schedule, or for the perf backend the kernel's
// placement with the cxl_pmu driver's known misprogramming flagged (facts
// 2.7; needs the CPMU's capabilities). Empty when no backend can count it.
CPMU_API std::optional<CountPlan> predict_plan(const Cpmu& cpmu, const std::vector<CountRequest>& requests,
                                               BackendChoice choice = BackendChoice::kAuto);

}  // namespace cpmu
