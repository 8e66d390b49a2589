// What discovery found: per function its kind, link, DVSECs, register blocks,
// CPMUs and DOE mailboxes, and what was wrong on the way. Plain values: no
// platform access here (discovery.hpp fills them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/component_kind.hpp"
#include "cpmu/cpmu_capabilities.hpp"
#include "cpmu/export.hpp"
#include "cpmu/ownership.hpp"
#include "cpmu/pci_function.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

struct ExtendedCapability {
  unsigned offset = 0;
  unsigned id = 0;
  unsigned version = 0;
};

struct CPMU_API Dvsec {
  unsigned offset = 0;
  std::uint16_t vendor_id = 0;
  unsigned revision = 0;
  unsigned length = 0;  // bytes, including the headers
  std::uint16_t id = 0;
  bool is_cxl() const;
};
// The CXL DVSEC's name (facts §1.3), or "" for an ID the facts do not define.
CPMU_API std::string_view cxl_dvsec_name(unsigned id);

struct RegisterBlock {
  unsigned locator_entry = 0;  // index in the Register Locator
  unsigned bir = 0;            // BAR index
  unsigned block_id = 0;
  std::uint64_t offset = 0;               // from the BAR start
  std::optional<std::uint64_t> bar_size;  // absent: unknown (dumps), offset unchecked
};
// "component", "bar-virtualization", "memory-device", "cpmu", "chmu" or "" (facts §1.4)
CPMU_API std::string_view register_block_name(unsigned block_id);
// A BAR or block size for people: "64 KiB", "2 MiB", "3000 bytes".
CPMU_API std::string byte_size_text(std::uint64_t bytes);

struct DoeCapability {  // a DOE extended capability: where a mailbox is
  unsigned offset = 0;
  std::uint32_t capabilities = 0;  // the DOE Capabilities register
  bool interrupt_support = false;
  unsigned interrupt_message = 0;
};

struct LinkInfo {
  unsigned speed = 0;  // PCIe speed code: 1 = 2.5 GT/s ... 6 = 64 GT/s; 0 = none
  unsigned width = 0;  // lanes
  unsigned max_speed = 0;
  unsigned max_width = 0;
};
// 2.5 ... 64 (GT/s), or nullopt for a code PCIe does not define (0 included).
CPMU_API std::optional<double> link_speed_gt_s(unsigned speed_code);
// "2.5GT/s" ... "64GT/s", or "unknown (code N)".
CPMU_API std::string link_speed_name(unsigned speed_code);

struct Cpmu {
  unsigned instance = 0;  // n-th CPMU block of the function, in Register Locator order
  RegisterBlock block;
  std::optional<CpmuCapabilities> capabilities;
  std::string capabilities_unknown;  // why capabilities is empty
  // Filled by annotate_topology():
  std::string kernel_device;  // "pmu_mem0.0"
  std::string perf_pmu;       // "cxl_pmu_mem0.0"
  CpmuOwner owner;
};

struct BridgeBuses {
  unsigned primary = 0, secondary = 0, subordinate = 0;
};

struct CPMU_API DiscoveredFunction {
  PciFunctionInfo info;
  std::size_t config_size = 0;  // bytes of config space that were read
  bool responding = true;       // false: config space reads all ones
  ComponentKind kind = ComponentKind::kOther;
  std::optional<unsigned> pcie_port_type;  // the PCIe capability's device/port type
  bool memory_device = false;              // class 0x0502, prog-if 0x10
  std::optional<LinkInfo> link;
  std::optional<std::uint64_t> serial_number;
  std::optional<BridgeBuses> buses;  // type-1 header
  std::vector<ExtendedCapability> extended_capabilities;
  std::vector<Dvsec> dvsecs;
  std::vector<RegisterBlock> register_blocks;  // the usable entries (problems skipped)
  std::vector<DoeCapability> doe_mailboxes;
  std::vector<Cpmu> cpmus;
  std::vector<Error> problems;  // each names what and where; the rest is still valid
  // Kernel names, filled by annotate_topology() where /sys/bus/cxl exists.
  std::string memdev;        // "mem0"
  std::string cxl_port;      // "port2" (switch upstream port)
  std::string cxl_endpoint;  // "endpoint3"
  std::string cxl_dport;     // "port1/dport0" (root or downstream port)

  bool is_cxl() const;  // carries at least one CXL DVSEC
};

struct DiscoveredMachine {
  std::string backend;
  std::vector<DiscoveredFunction> functions;
  // True when the backend refused extended config space for lack of privilege
  // (Linux without root): the functions are then only what 64 bytes show.
  bool config_access_denied = false;
  std::vector<Error> problems;  // machine-wide, the platform's own (Platform::problems()) first
};

}  // namespace cpmu
