// What a PCI function is, as a backend enumerates it: address, IDs, class,
// header layout, BARs, bound driver. Plain values, so that headers which only
// describe a machine need not see the platform interface (platform.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpmu/config_space.hpp"
#include "cpmu/export.hpp"
#include "cpmu/pci_address.hpp"

namespace cpmu {

struct BarInfo {
  unsigned index = 0;
  std::uint64_t base = 0;  // bus address, flags removed; 0 if unknown
  std::uint64_t size = 0;  // 0 if unimplemented or unknown (dumps carry no sizes)
  bool io = false;
  bool is_64bit = false;
  bool prefetchable = false;
};

struct PciFunctionInfo {
  PciAddress address;
  std::uint16_t vendor_id = 0;
  std::uint16_t device_id = 0;
  std::uint32_t class_code = 0;  // 24 bits: base class, subclass, prog-if
  std::uint8_t revision = 0;
  std::uint8_t header_type = 0;  // layout, without the multi-function bit
  std::vector<BarInfo> bars;     // implemented BARs only
  std::string driver;            // bound kernel driver, empty if none or unknown
  std::string sysfs_path;        // empty where the backend has no sysfs
};

// What a function's standard header says of it: IDs, class, revision, header
// layout, and the BARs its registers show (base, I/O, 64-bit, prefetchable;
// no size, no driver), by libpci's rules: a BAR register reading 0 or all
// ones is not implemented, and a 64-bit BAR takes its upper half from the
// next register. For sources that have nothing better, such as dump files;
// bytes `config` does not hold count as 0.
CPMU_API PciFunctionInfo function_info_from_config(const PciAddress& address, const ConfigSpace& config);

}  // namespace cpmu
