// annotate_topology(): the kernel's names and each CPMU's owner, added to a
// discovered machine.
#include <fmt/format.h>

#include <algorithm>

#include "cpmu/topology.hpp"

namespace cpmu {

namespace {

void set_owner(const KernelCxlView& kernel, const std::vector<std::string>& lock_directories,
               const DiscoveredFunction& fn, Cpmu& cpmu) {
  // The kernel numbers a function's CPMUs in Register Locator order, as we do
  // (facts §1.5), so pmu_memX.Y is instance Y of its parent function.
  auto pmu = std::find_if(kernel.pmus.begin(), kernel.pmus.end(), [&](const KernelCxlView::PmuDevice& p) {
    return p.function == fn.info.address && p.instance == cpmu.instance;
  });
  if (pmu != kernel.pmus.end()) {
    cpmu.kernel_device = pmu->name;
    std::string perf = "cxl_" + pmu->name;
    if (std::binary_search(kernel.perf_pmus.begin(), kernel.perf_pmus.end(), perf)) cpmu.perf_pmu = perf;
    if (pmu->bound || !cpmu.perf_pmu.empty()) {
      cpmu.owner.kind = CpmuOwnerKind::kKernel;
      cpmu.owner.kernel_device = pmu->name;
      return;
    }
  }
  if (auto holder = find_cpmu_lock_holder(lock_directories, fn.info.address, cpmu.instance)) {
    cpmu.owner = *holder;
  }
}

}  // namespace

void annotate_topology(DiscoveredMachine& machine, Topology& topology, const KernelCxlView& kernel,
                       const std::vector<std::string>& lock_directories) {
  for (auto& fn : machine.functions) {
    for (const auto& memdev : kernel.memdevs) {
      if (memdev.function != fn.info.address) continue;
      fn.memdev = memdev.name;
      for (const auto& endpoint : kernel.endpoints) {
        if (endpoint.memdev == memdev.name) fn.cxl_endpoint = endpoint.name;
      }
    }
    for (const auto& port : kernel.ports) {
      if (port.function == fn.info.address) fn.cxl_port = port.name;
      for (const auto& [number, dport] : port.dports) {
        if (dport == fn.info.address) fn.cxl_dport = fmt::format("{}/dport{}", port.name, number);
      }
    }
    for (auto& cpmu : fn.cpmus) set_owner(kernel, lock_directories, fn, cpmu);
  }
  for (auto& bridge : topology.host_bridges) {
    for (const auto& port : kernel.ports) {
      if (port.host_bridge && port.host_bridge->first == bridge.domain && port.host_bridge->second == bridge.root_bus) {
        bridge.cxl_port = port.name;
      }
    }
  }
}

}  // namespace cpmu
