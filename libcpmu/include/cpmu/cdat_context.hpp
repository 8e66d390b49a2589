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
#include "cpmu/discovery.hpp"
#include "cpmu/topology.hpp"

namespace cpmu {

// Latency and bandwidth in one direction pair; absent where the table gives
// no (valid) value. "Access" values fill both read and write unless a
// read- or write-specific value is given too.
struct CdatPerf {
  std::optional<std::uint64_t> read_latency_ns, write_latency_ns;
  std::optional<std::uint64_t> read_bandwidth, write_bandwidth;   // bytes/s
  bool operator==(const CdatPerf&) const = default;
};

// One DSMAS range of an endpoint and its DSLBIS values (memory-hierarchy
// entries only, entry[0], as Linux uses them).
struct CdatRangePerf {
  std::uint8_t handle = 0;
  std::uint64_t dpa_base = 0;
  std::uint64_t dpa_length = 0;
  bool non_volatile = false;
  CdatPerf perf;
  bool operator==(const CdatRangePerf&) const = default;
};

// One SSLBIS port pair of a switch, with the ports resolved to functions
// where possible: 0x0100 is the upstream port itself, a downstream port
// number is the downstream port whose Link Capabilities carry that number,
// 0xFFFF ("any port") resolves to none.
struct CdatPortPerf {
  std::uint16_t port_x = 0;
  std::uint16_t port_y = 0;
  std::optional<std::size_t> x_function, y_function;   // indices into DiscoveredMachine::functions
  CdatPerf perf;
  bool operator==(const CdatPortPerf&) const = default;
};

// From a decoded table alone.
std::vector<CdatRangePerf> cdat_range_perf(const CdatTable& table);
std::vector<CdatPortPerf> cdat_port_perf(const CdatTable& table);

struct FunctionCdat {
  std::size_t function = 0;          // index into DiscoveredMachine::functions
  std::string source;                // where the bytes came from; empty if not read
  std::vector<std::uint8_t> raw;     // as read, even if it failed validation
  std::optional<CdatTable> table;    // absent: see error
  std::optional<Error> error;        // why there is no table
  std::vector<CdatRangePerf> ranges;       // endpoints
  std::vector<CdatPortPerf> port_pairs;    // switch upstream ports
};

struct CdatContext {
  std::vector<FunctionCdat> functions;   // in DiscoveredMachine::functions order
  const FunctionCdat* find(std::size_t function) const;
};

// Whether read_cdat_context() reads this function's table: endpoints and
// switch upstream ports that have a DOE mailbox.
bool has_cdat_role(const DiscoveredFunction& function);

// Reads, validates and decodes the CDAT of every function that has_cdat_role()
// (or only of `only`, when given), the kernel's copy first (see
// read_function_cdat()). Failures stay per function, in FunctionCdat::error.
CdatContext read_cdat_context(Platform& platform, const DiscoveredMachine& machine, const Topology& topology,
                              const CdatReadOptions& options,
                              const std::optional<std::vector<std::size_t>>& only = std::nullopt);

}  // namespace cpmu
