#include "cpmu/backend_choice.hpp"

#include <fmt/format.h>

#include "cpmu/counter_scheduler.hpp"
#include "perf/cpmu_perf_backend.hpp"

namespace cpmu {

std::string_view backend_choice_name(BackendChoice choice) {
  switch (choice) {
    case BackendChoice::kAuto: return "auto";
    case BackendChoice::kDirect: return "direct";
    case BackendChoice::kPerf: return "perf";
  }
  return "auto";
}

std::optional<BackendChoice> parse_backend_choice(std::string_view text) {
  for (BackendChoice choice : {BackendChoice::kAuto, BackendChoice::kDirect, BackendChoice::kPerf}) {
    if (backend_choice_name(choice) == text) return choice;
  }
  return std::nullopt;
}

BackendDecision decide_backend(const Cpmu& cpmu, BackendChoice choice) {
  const std::string pmu = cpmu.perf_pmu.empty() ? std::string("cxl_pmu_memX.Y") : cpmu.perf_pmu;
  switch (cpmu.owner.kind) {
    case CpmuOwnerKind::kProcess:
      return {{},
              fmt::format("in use by another cpmu process{} (lock file {})",
                          cpmu.owner.pid ? fmt::format(" {}", *cpmu.owner.pid) : "", cpmu.owner.lock_file)};
    case CpmuOwnerKind::kKernel:
      if (choice == BackendChoice::kDirect) {
        return {{},
                fmt::format("owned by the kernel's cxl_pmu driver ({}): the direct backend never touches its "
                            "registers; count it with --backend perf (or auto), or perf stat -a -e {}/EVENT/",
                            cpmu.owner.kernel_device, pmu)};
      }
      if (cpmu.perf_pmu.empty()) {
        return {{},
                fmt::format("owned by the kernel's cxl_pmu driver ({}), which registered no perf PMU for it",
                            cpmu.owner.kernel_device)};
      }
      return {"perf", fmt::format("owned by the kernel's cxl_pmu driver ({}): counted through its perf PMU {}",
                                  cpmu.owner.kernel_device, cpmu.perf_pmu)};
    case CpmuOwnerKind::kNone: break;
  }
  if (choice == BackendChoice::kPerf) {
    return {{},
            "the kernel's cxl_pmu driver does not drive it (no cxl_pmu_memX.Y; the kernel drives memory devices' "
            "CPMUs only): count it with --backend direct (or auto)"};
  }
  if (!cpmu.capabilities) return {{}, "capabilities unknown: " + cpmu.capabilities_unknown};
  return {"direct", "no kernel driver owns it: cpmu programs its registers"};
}

std::optional<CountPlan> predict_plan(const Cpmu& cpmu, const std::vector<CountRequest>& requests,
                                      BackendChoice choice) {
  const BackendDecision decision = decide_backend(cpmu, choice);
  if (decision.backend == "direct") return plan_counts(*cpmu.capabilities, requests);
  if (decision.backend != "perf") return std::nullopt;
  std::vector<EventSelection> selections;
  for (const CountRequest& r : requests) selections.push_back(r.event);
  const std::vector<std::string> quirks =
      cpmu.capabilities ? cxl_pmu_quirks(*cpmu.capabilities, selections) : std::vector<std::string>(requests.size());
  CountPlan plan;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    PlannedCount p;
    p.placement = Placement::kConfigurable;
    p.reason = fmt::format("perf backend: the kernel's driver places it on {}", cpmu.perf_pmu);
    if (requests[i].event.channel_rank_bank) {
      p.placement = Placement::kNotSupported;
      p.reason = "the kernel's cxl_pmu driver has no channel/rank/bank filter";
    } else if (!quirks[i].empty()) {
      p.reason += "; " + quirks[i];
    }
    plan.counts.push_back(std::move(p));
  }
  // More events than counters: the kernel multiplexes them.
  if (cpmu.capabilities && requests.size() > cpmu.capabilities->counter_count) plan.multiplexing = true;
  return plan;
}

}  // namespace cpmu
