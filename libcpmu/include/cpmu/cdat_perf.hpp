// CDAT performance values as the topology uses them: latency (ns) and
// bandwidth (bytes/s) per endpoint DPA range and per switch port pair. Plain
// values, so that snapshots carry them without the CDAT reader (cdat_context.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace cpmu {

// Latency and bandwidth in one direction pair; absent where the table gives
// no (valid) value. "Access" values fill both read and write unless a
// read- or write-specific value is given too.
struct CdatPerf {
  std::optional<std::uint64_t> read_latency_ns, write_latency_ns;
  std::optional<std::uint64_t> read_bandwidth, write_bandwidth;  // bytes/s
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
  std::optional<std::size_t> x_function, y_function;  // indices into DiscoveredMachine::functions
  CdatPerf perf;
  bool operator==(const CdatPortPerf&) const = default;
};

}  // namespace cpmu
