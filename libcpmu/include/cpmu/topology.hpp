// Topology: the discovered functions arranged as the tree host bridge → root
// port → switch upstream port → downstream port → endpoint, built from the
// type-1 headers' bus numbers (so it works on every backend), and annotated
// with the kernel's CXL names and each CPMU's owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/discovered_machine.hpp"
#include "cpmu/export.hpp"

namespace cpmu {

struct CPMU_API HostBridge {
  std::uint16_t domain = 0;
  std::uint8_t root_bus = 0;
  std::string cxl_port;                   // kernel name, e.g. "port1"
  std::vector<std::size_t> children;      // indices into DiscoveredMachine::functions
  std::string name() const;               // "pci0000:0c"
};

struct Topology {
  std::vector<HostBridge> host_bridges;               // ordered by domain, bus
  std::vector<std::optional<std::size_t>> parent;     // per function: its bridge, if any
  std::vector<std::size_t> host_bridge_of;            // per function: index into host_bridges
  std::vector<std::vector<std::size_t>> children;     // per function, ordered by address
};

// Builds the tree. A bridge whose bus numbers are inconsistent (secondary not
// above its own bus, subordinate below secondary, or a secondary bus another
// bridge already claims) gets a problem and is not used as a parent, so the
// result is always a forest, whatever the input.
CPMU_API Topology build_topology(DiscoveredMachine& machine);

// Where the kernel's views live; tests point these at fake trees.
struct SysfsRoots {
  std::string cxl = "/sys/bus/cxl";
  std::string event_source = "/sys/bus/event_source";
};

// The kernel's CXL objects as read from SysfsRoots::cxl. Missing directories
// give an empty view: the kernel then simply has no names to add.
struct KernelCxlView {
  struct Memdev { std::string name; PciAddress function; };
  struct Port { std::string name; std::optional<PciAddress> function;   // switch USP
                std::optional<std::pair<std::uint16_t, std::uint8_t>> host_bridge;   // domain, bus
                std::vector<std::pair<unsigned, PciAddress>> dports; };
  struct Endpoint { std::string name; std::string memdev; };
  struct PmuDevice { std::string name; PciAddress function; unsigned instance = 0;
                     bool bound = false; };   // bound: a driver (cxl_pmu) is attached
  std::vector<Memdev> memdevs;
  std::vector<Port> ports;
  std::vector<Endpoint> endpoints;
  std::vector<PmuDevice> pmus;
  std::vector<std::string> perf_pmus;   // event_source devices named cxl_pmu_*
};
CPMU_API KernelCxlView read_kernel_cxl_view(const SysfsRoots& roots);

// Adds kernel names to functions, host bridges and CPMUs, and each CPMU's
// owner: the kernel driver (a pmu_memX.Y under this function with Y = the
// CPMU's instance), another cpmu process (a held lock in lock_directories),
// or nobody.
CPMU_API void annotate_topology(DiscoveredMachine& machine, Topology& topology, const KernelCxlView& kernel,
                                const std::vector<std::string>& lock_directories);

}  // namespace cpmu
