// CDAT as context for the topology: per endpoint, its DPA ranges with their
// read/write latency and bandwidth; per switch, the latency and bandwidth
// between its ports. The monitor and the front ends set measured traffic
// against these capacities. Units: ns and bytes/s (docs/doe-cdat.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/cdat.hpp"
#include "cpmu/cdat_perf.hpp"
#include "cpmu/discovered_machine.hpp"
#include "cpmu/export.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/topology.hpp"

namespace cpmu {

// From a decoded table alone.
CPMU_API std::vector<CdatRangePerf> cdat_range_perf(const CdatTable& table);
CPMU_API std::vector<CdatPortPerf> cdat_port_perf(const CdatTable& table);

struct FunctionCdat {
  std::size_t function = 0;          // index into DiscoveredMachine::functions
  std::string source;                // where the bytes came from; empty if not read
  std::vector<std::uint8_t> raw;     // as read, even if it failed validation
  std::optional<CdatTable> table;    // absent: see error
  std::optional<Error> error;        // why there is no table
  std::vector<CdatRangePerf> ranges;       // endpoints
  std::vector<CdatPortPerf> port_pairs;    // switch upstream ports
};

struct CPMU_API CdatContext {
  std::vector<FunctionCdat> functions;   // in DiscoveredMachine::functions order
  const FunctionCdat* find(std::size_t function) const;
};

// Whether read_cdat_context() reads this function's table: endpoints and
// switch upstream ports that have a DOE mailbox.
CPMU_API bool has_cdat_role(const DiscoveredFunction& function);

// Reads, validates and decodes the CDAT of every function that has_cdat_role()
// (or only of `only`, when given), the kernel's copy first (see
// read_function_cdat()). Failures stay per function, in FunctionCdat::error.
CPMU_API CdatContext read_cdat_context(Platform& platform, const DiscoveredMachine& machine, const Topology& topology,
                                       const CdatReadOptions& options,
                                       const std::optional<std::vector<std::size_t>>& only = std::nullopt);

}  // namespace cpmu
