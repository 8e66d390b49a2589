// build_topology(): the bridge hierarchy from type-1 bus numbers.
#include "cpmu/topology.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace cpmu {

std::string HostBridge::name() const { return fmt::format("pci{:04x}:{:02x}", domain, root_bus); }

Topology build_topology(DiscoveredMachine& machine) {
  auto& fns = machine.functions;
  const std::size_t n = fns.size();
  Topology topology;
  topology.parent.assign(n, std::nullopt);
  topology.children.assign(n, {});
  topology.host_bridge_of.assign(n, 0);

  // Which bridge owns each secondary bus. Only bridges whose secondary bus is
  // above their own may parent anything: bus numbers then strictly grow down
  // every parent edge, so no input can make a cycle.
  std::map<std::pair<unsigned, unsigned>, std::size_t> bridge_of_bus;
  for (std::size_t i = 0; i < n; ++i) {
    auto& fn = fns[i];
    if (!fn.buses || !fn.responding) continue;
    const auto& b = *fn.buses;
    if (b.secondary <= fn.info.address.bus || b.subordinate < b.secondary) {
      fn.problems.emplace_back(Errc::kMalformed,
                               fmt::format("bridge bus numbers are inconsistent (bus 0x{:02x}, secondary 0x{:02x}, "
                                           "subordinate 0x{:02x}); nothing is placed below it",
                                           fn.info.address.bus, b.secondary, b.subordinate));
      continue;
    }
    auto [it, inserted] = bridge_of_bus.emplace(std::pair{fn.info.address.domain, b.secondary}, i);
    if (!inserted) {
      fn.problems.emplace_back(Errc::kMalformed,
                               fmt::format("secondary bus 0x{:02x} is already claimed by {}; nothing is placed "
                                           "below this bridge",
                                           b.secondary, fns[it->second].info.address.to_string()));
    }
  }

  std::map<std::pair<unsigned, unsigned>, std::size_t> bridge_index;
  std::vector<std::size_t> roots;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& address = fns[i].info.address;
    auto it = bridge_of_bus.find({address.domain, address.bus});
    if (it != bridge_of_bus.end() && it->second != i) {
      topology.parent[i] = it->second;
      topology.children[it->second].push_back(i);
    } else {
      roots.push_back(i);
    }
  }
  for (std::size_t root : roots) {
    const auto& address = fns[root].info.address;
    bridge_index.emplace(std::pair{address.domain, address.bus}, 0);
  }
  for (auto& [key, index] : bridge_index) {
    index = topology.host_bridges.size();
    HostBridge bridge;
    bridge.domain = static_cast<std::uint16_t>(key.first);
    bridge.root_bus = static_cast<std::uint8_t>(key.second);
    topology.host_bridges.push_back(bridge);
  }
  for (std::size_t root : roots) {
    const auto& address = fns[root].info.address;
    topology.host_bridges[bridge_index[{address.domain, address.bus}]].children.push_back(root);
  }

  auto by_address = [&](std::size_t a, std::size_t b) { return fns[a].info.address < fns[b].info.address; };
  for (auto& bridge : topology.host_bridges) std::sort(bridge.children.begin(), bridge.children.end(), by_address);
  for (auto& list : topology.children) std::sort(list.begin(), list.end(), by_address);
  // Host bridge of each function: walk down from every host bridge.
  for (std::size_t h = 0; h < topology.host_bridges.size(); ++h) {
    std::vector<std::size_t> stack = topology.host_bridges[h].children;
    while (!stack.empty()) {
      std::size_t i = stack.back();
      stack.pop_back();
      topology.host_bridge_of[i] = h;
      stack.insert(stack.end(), topology.children[i].begin(), topology.children[i].end());
    }
  }
  return topology;
}

}  // namespace cpmu
