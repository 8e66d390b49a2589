#include "cpmu/monitor.hpp"

#include <algorithm>

#include "cpmu/cdat_context.hpp"
#include "cpmu/topology.hpp"

namespace cpmu {

namespace {

// The function's ancestors, outermost first: its host bridge, then the
// bridges from the root port down to its parent. The topology is a forest
// (build_topology), so the walk ends; the bound only guards against a
// topology of another machine.
std::vector<std::string> upstream_chain(const DiscoveredMachine& machine, const Topology& topology,
                                        std::size_t function) {
  std::vector<std::string> chain;
  if (function >= topology.parent.size()) return chain;
  std::vector<std::size_t> bridges;
  for (auto at = topology.parent[function];
       at && *at < topology.parent.size() && bridges.size() < topology.parent.size(); at = topology.parent[*at]) {
    bridges.push_back(*at);
  }
  const std::size_t top = bridges.empty() ? function : bridges.back();
  if (top < topology.host_bridge_of.size() && topology.host_bridge_of[top] < topology.host_bridges.size()) {
    chain.push_back(topology.host_bridges[topology.host_bridge_of[top]].name());
  }
  std::for_each(bridges.rbegin(), bridges.rend(),
                [&](std::size_t b) { chain.push_back(machine.functions.at(b).info.address.to_string()); });
  return chain;
}

}  // namespace

SourceIdentity cpmu_identity(const DiscoveredMachine& machine, std::size_t function, const Cpmu& cpmu,
                             const CdatContext* cdat, const Topology* topology) {
  const DiscoveredFunction& f = machine.functions.at(function);
  SourceIdentity identity;
  identity.name = CpmuName{f.info.address, cpmu.instance};
  identity.kind = f.kind;
  identity.memdev = f.memdev;
  identity.kernel_device = cpmu.kernel_device;
  identity.perf_pmu = cpmu.perf_pmu;
  if (f.link && f.link->width > 0) {
    identity.link_gt_s = link_speed_gt_s(f.link->speed);
    if (identity.link_gt_s) identity.link_width = f.link->width;
  }
  if (const FunctionCdat* table = cdat ? cdat->find(function) : nullptr) {
    identity.cdat_ranges = table->ranges;
    identity.cdat_port_pairs = table->port_pairs;
  }
  if (topology) identity.upstream = upstream_chain(machine, *topology, function);
  return identity;
}

}  // namespace cpmu
