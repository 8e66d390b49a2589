// The simulated machine's topology: host bridges, root ports, switches and
// memory expanders with their CPMUs, DOE/CDAT values, traffic and faults, as
// read from a topology JSON file (docs/topology-format.md) or the built-in
// default (sim/topologies/default.json). The clock mode is not part of it:
// the caller picks virtual or real time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/result.hpp"
#include "cxlsim/cdat_builder.hpp"
#include "cxlsim/cpmu_model.hpp"
#include "cxlsim/device_traffic.hpp"
#include "cxlsim/doe_model.hpp"
#include "cxlsim/sim_timing.hpp"

namespace cpmu::sim {

// Default PCI IDs of simulated functions: vendor 0x1b36 (the ID QEMU uses for
// its virtual devices) and a private block of device IDs.
inline constexpr std::uint16_t kSimVendorId = 0x1b36;
inline constexpr std::uint16_t kRootPortDeviceId = 0xc000;
inline constexpr std::uint16_t kUpstreamPortDeviceId = 0xc001;
inline constexpr std::uint16_t kDownstreamPortDeviceId = 0xc002;
inline constexpr std::uint16_t kMemoryExpanderDeviceId = 0xc003;
inline constexpr std::uint32_t kMemoryExpanderClass = 0x050210;   // CXL memory device (facts §1.2)
inline constexpr unsigned kSchemaVersion = 1;
inline constexpr unsigned kMaxCpmusPerFunction = 16;
// MSI-X vectors of every function (CXL interrupt message numbers are < 16),
// unless the msix_vectors fault makes the table smaller.
inline constexpr unsigned kMsixVectors = 16;
// The largest topology text read (the default is about 12 KiB): a file
// beyond it is refused before it is parsed.
inline constexpr std::size_t kMaxTopologyBytes = 4u << 20;

struct PciIds {
  std::uint16_t vendor_id = kSimVendorId;
  std::uint16_t device_id = 0;
  std::uint8_t revision = 0;
};

struct LinkSpec {
  unsigned speed_code = 5;   // PCIe encoding: 1..6 = 2.5, 5, 8, 16, 32, 64 GT/s
  unsigned width = 8;
};

struct StuckCounterFault {
  unsigned cpmu = 0;
  unsigned counter = 0;
};

// Faults present from the start (or, for surprise removal, from a time on).
struct FunctionFaults {
  std::optional<std::uint64_t> surprise_removal_ns;   // 0: removed from the start
  DoeFault doe = DoeFault::kNone;
  CdatFault cdat = CdatFault::kNone;
  bool capability_loop = false;
  bool dvsec_length_past_config_space = false;
  bool locator_offset_past_bar = false;
  std::vector<StuckCounterFault> stuck_counters;
  std::vector<unsigned> interrupt_storms;   // CPMU indices
  // The MSI-X table has only this many vectors, so a CPMU's message number
  // may lie beyond it (its interrupts cannot arrive).
  unsigned msix_vectors = kMsixVectors;
};

// What every function has.
struct FunctionSpec {
  PciIds ids;
  std::vector<CpmuSpec> cpmus;
  FunctionFaults faults;
};

struct MemoryRangeSpec {
  std::uint64_t size = 0;   // bytes, a multiple of 256 MiB
  bool persistent = false;
  std::uint64_t read_latency_ns = 0, write_latency_ns = 0;
  std::uint64_t read_bandwidth_mbps = 0, write_bandwidth_mbps = 0;
};

struct EndpointSpec {
  FunctionSpec function;
  std::uint32_t class_code = kMemoryExpanderClass;
  std::optional<std::uint64_t> serial;
  std::vector<MemoryRangeSpec> memory;   // 1 or 2 ranges, laid out from DPA 0
  TrafficProfile traffic{};              // also carries clock, HDM decoders, DDR channels
};

struct DownstreamPortSpec {
  FunctionSpec function;
  unsigned port = 0;
  LinkSpec link;
  std::uint64_t clock_hz = 0;
  std::optional<EndpointSpec> endpoint;
};

// One value for every upstream-to-downstream port pair of the switch's CDAT.
struct SslbisSpec {
  std::uint64_t latency_ns = 0;
  std::uint64_t bandwidth_mbps = 0;
};

struct UpstreamPortSpec {
  FunctionSpec function;
  std::uint64_t clock_hz = 0;
  unsigned hdm_decoders = 1;
  SslbisSpec sslbis;
};

struct SwitchSpec {
  UpstreamPortSpec upstream;
  std::vector<DownstreamPortSpec> downstream_ports;   // device number = index
};

struct RootPortSpec {
  FunctionSpec function;
  unsigned device = 0;
  unsigned port = 0;
  LinkSpec link;
  std::uint64_t clock_hz = 0;
  std::optional<EndpointSpec> endpoint;   // at most one of endpoint and switch
  std::optional<SwitchSpec> switch_below;
};

struct HostBridgeSpec {
  std::uint16_t domain = 0;
  std::uint8_t root_bus = 0;
  std::vector<RootPortSpec> root_ports;
};

struct TopologySpec {
  std::vector<HostBridgeSpec> host_bridges;
  SimTiming timing;   // "timing": register access time, interrupt latency, tick
};

// Every error names the source and the JSON pointer of the offending field
// ("topo.json: /host_bridges/0/root_ports/1/cpmus/0/width: must be 1..64, got 0"),
// or the line and column of a syntax error ("topo.json:3:17: JSON syntax error: ...").
Result<TopologySpec> parse_topology(std::string_view json_text, std::string_view source_name);
Result<TopologySpec> load_topology_file(const std::string& path);

// The built-in default, compiled into the library from sim/topologies/default.json.
std::string_view default_topology_json();
Result<TopologySpec> default_topology();

// PCIe link speed encoding for a rate in GT/s (2.5 -> 1 ... 64 -> 6); nullopt if none.
std::optional<unsigned> link_speed_code(double gts);

}  // namespace cpmu::sim
