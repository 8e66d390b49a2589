// CXL DVSECs in PCIe extended configuration space: the DVSEC header, the CXL
// DVSEC IDs and the Register Locator DVSEC.
// Source: ../shared/reference/cxl-facts.md §1.2 (DVSEC header), §1.3 (IDs),
// §1.4 (Register Locator and Register Block Identifiers).
#pragma once

#include <cstdint>

#include "cpmu/regs/bitfield.hpp"

namespace cpmu::regs::dvsec {

inline constexpr std::uint16_t kCxlVendorId = 0x1e98;

// Offsets from the start of the extended capability.
inline constexpr unsigned kHeader1 = 0x04;
inline constexpr unsigned kHeader2 = 0x08;
namespace header1 {
inline constexpr Field kVendorId = bits(15, 0);
inline constexpr Field kRevision = bits(19, 16);
inline constexpr Field kLength = bits(31, 20);   // bytes, including all headers
}  // namespace header1
namespace header2 {
inline constexpr Field kId = bits(15, 0);
}  // namespace header2
inline constexpr unsigned kHeaderSize = 0x0a;

// CXL DVSEC IDs (vendor 0x1E98).
namespace id {
inline constexpr unsigned kCxlDevice = 0;        // PCIe DVSEC for CXL Devices
inline constexpr unsigned kFunctionMap = 2;      // Non-CXL Function Map
inline constexpr unsigned kPortExtensions = 3;   // CXL Extensions DVSEC for Ports
inline constexpr unsigned kPortGpf = 4;          // GPF DVSEC for CXL Ports
inline constexpr unsigned kDeviceGpf = 5;        // GPF DVSEC for CXL Devices
inline constexpr unsigned kFlexBusPort = 7;      // PCIe DVSEC for Flex Bus Port
inline constexpr unsigned kRegisterLocator = 8;  // Register Locator
inline constexpr unsigned kMld = 9;              // MLD (QEMU defines it, the kernel does not)
}  // namespace id

// DVSEC 0 (CXL device): capability and range registers.
namespace cxl_device {
inline constexpr unsigned kRevision = 1;         // as QEMU's cxl-type3 reports (CXL 2.0)
inline constexpr unsigned kCapability = 0x0a;    // 16
inline constexpr unsigned kControl = 0x0c;       // 16
inline constexpr unsigned kStatus2 = 0x12;       // 16
inline constexpr Field kIoCapable = bit(1);
inline constexpr Field kMemCapable = bit(2);
inline constexpr Field kMemHwInit = bit(3);
inline constexpr Field kHdmCount = bits(5, 4);
inline constexpr Field kIoEnable = bit(1);       // in Control
inline constexpr Field kMemEnable = bit(2);      // in Control
inline constexpr Field kResetComplete = bit(1);  // in Status 2
inline constexpr unsigned kLength = 0x38;
inline constexpr unsigned kMaxRanges = 2;
constexpr unsigned range_size_high(unsigned i) { return 0x18 + 0x10 * i; }
constexpr unsigned range_size_low(unsigned i) { return 0x1c + 0x10 * i; }
constexpr unsigned range_base_high(unsigned i) { return 0x20 + 0x10 * i; }
constexpr unsigned range_base_low(unsigned i) { return 0x24 + 0x10 * i; }
inline constexpr Field kMemInfoValid = bit(0);
inline constexpr Field kMemActive = bit(1);
inline constexpr Field kMediaType = bits(4, 2);
inline constexpr Field kMemoryClass = bits(7, 5);
inline constexpr unsigned kDescribedByCdat = 2;   // Media Type and Memory Class value
inline constexpr Field kRangeLowBits = bits(31, 28);
inline constexpr unsigned kRangeGranularity = 1u << 28;   // 256 MiB: size/base bits 31:28
}  // namespace cxl_device

// DVSEC 3 (CXL Extensions for Ports). Layout as QEMU's CXL 2.0 ports.
namespace port_extensions {
inline constexpr unsigned kRevision = 0;
inline constexpr unsigned kLength = 0x28;
inline constexpr unsigned kPortControl = 0x0c;   // 16
inline constexpr Field kUnmaskSbr = bit(0);
inline constexpr Field kControlBits = bits(3, 0);   // Unmask SBR, Unmask Link Disable, Alt Memory, Alt BME
}  // namespace port_extensions

// DVSEC 4 (GPF for Ports): phase timeouts, base 3:0 and scale 11:8.
namespace port_gpf {
inline constexpr unsigned kRevision = 0;
inline constexpr unsigned kLength = 0x10;
inline constexpr unsigned kPhase1Control = 0x0c;  // 16
inline constexpr unsigned kPhase2Control = 0x0e;  // 16
inline constexpr Field kTimeoutBase = bits(3, 0);
inline constexpr Field kTimeoutScale = bits(11, 8);
}  // namespace port_gpf

// DVSEC 5 (GPF for Devices): phase 2 duration (base 3:0, scale 11:8) and power.
namespace device_gpf {
inline constexpr unsigned kRevision = 0;
inline constexpr unsigned kLength = 0x10;
inline constexpr unsigned kPhase2Duration = 0x0a;  // 16
inline constexpr unsigned kPhase2Power = 0x0c;     // 32, mW
inline constexpr Field kDurationBase = bits(3, 0);
inline constexpr Field kDurationScale = bits(11, 8);
}  // namespace device_gpf

// DVSEC 7 (Flex Bus Port): capability, control, status (CXL 2.0 layout).
namespace flex_bus {
inline constexpr unsigned kRevision = 1;
inline constexpr unsigned kLength = 0x14;
inline constexpr unsigned kCapability = 0x0a;   // 16
inline constexpr unsigned kControl = 0x0c;      // 16
inline constexpr unsigned kStatus = 0x0e;       // 16
inline constexpr Field kIo = bit(1);
inline constexpr Field kMem = bit(2);
inline constexpr Field kFlit68B = bit(5);
}  // namespace flex_bus

// Register Locator (ID 8).
namespace locator {
inline constexpr unsigned kRevision = 0;
inline constexpr unsigned kFirstEntry = 0x0c;
inline constexpr unsigned kEntrySize = 8;
inline constexpr unsigned kMaxEntries = (0xfff - kFirstEntry) / kEntrySize;   // 510
constexpr unsigned entry_low(unsigned i) { return kFirstEntry + kEntrySize * i; }
constexpr unsigned entry_high(unsigned i) { return kFirstEntry + kEntrySize * i + 4; }
inline constexpr Field kBir = bits(2, 0);
inline constexpr Field kBlockId = bits(15, 8);
inline constexpr std::uint32_t kOffsetLowMask = 0xffff0000;   // offset bits 31:16, 64 KiB aligned
}  // namespace locator

// Register Block Identifiers.
namespace block_id {
inline constexpr unsigned kEmpty = 0;
inline constexpr unsigned kComponent = 1;
inline constexpr unsigned kBarVirtualization = 2;
inline constexpr unsigned kMemoryDevice = 3;
inline constexpr unsigned kCpmu = 4;
inline constexpr unsigned kChmu = 5;   // only in QEMU forks; spec meaning UNVERIFIED
}  // namespace block_id

}  // namespace cpmu::regs::dvsec
