// PCI/PCIe configuration space layout: the standard header, the capability
// list, the PCI Express capability and the extended capability chain.
// Source: ../shared/reference/cxl-facts.md §1.1 (extended capability walk) and
// the PCI Local Bus / PCIe Base specifications' standard header, restated.
#pragma once

#include <cstdint>

#include "cpmu/regs/bitfield.hpp"

namespace cpmu::regs::pci {

inline constexpr unsigned kConfigSize = 4096;        // PCIe extended config space
inline constexpr unsigned kLegacyConfigSize = 256;   // conventional PCI
inline constexpr unsigned kUnprivilegedSize = 64;    // what sysfs shows a non-root reader

// Standard header (both types).
inline constexpr unsigned kVendorId = 0x00;     // 16
inline constexpr unsigned kDeviceId = 0x02;     // 16
inline constexpr unsigned kCommand = 0x04;      // 16
inline constexpr unsigned kStatus = 0x06;       // 16
inline constexpr unsigned kRevision = 0x08;     // 8
inline constexpr unsigned kProgIf = 0x09;       // 8; class code is 0x09..0x0b
inline constexpr unsigned kHeaderType = 0x0e;   // 8
inline constexpr unsigned kBar0 = 0x10;         // 32 each, 6 (type 0) or 2 (type 1)
inline constexpr unsigned kSubsystemVendorId = 0x2c;  // type 0 only
inline constexpr unsigned kSubsystemId = 0x2e;        // type 0 only
inline constexpr unsigned kCapPointer = 0x34;   // 8
inline constexpr unsigned kInterruptLine = 0x3c; // 8
inline constexpr unsigned kInterruptPin = 0x3d; // 8
inline constexpr unsigned kFirstCapOffset = 0x40;  // first byte after the standard header

namespace command {
inline constexpr Field kMemorySpace = bit(1);
inline constexpr Field kBusMaster = bit(2);
inline constexpr Field kSerrEnable = bit(8);
inline constexpr Field kInterruptDisable = bit(10);
}  // namespace command
namespace status {
inline constexpr Field kCapList = bit(4);
inline constexpr Field kErrorBits = bits(15, 11);   // RW1C: target/master abort, SERR, parity
}  // namespace status
namespace header_type {
inline constexpr Field kLayout = bits(6, 0);    // 0 = endpoint, 1 = PCI-PCI bridge
inline constexpr Field kMultiFunction = bit(7);
inline constexpr unsigned kEndpoint = 0;
inline constexpr unsigned kBridge = 1;
}  // namespace header_type

inline constexpr unsigned kBarCountType0 = 6;
inline constexpr unsigned kBarCountType1 = 2;
constexpr unsigned bar_offset(unsigned index) { return kBar0 + 4 * index; }
namespace bar {
inline constexpr Field kIoSpace = bit(0);
inline constexpr Field kMemType = bits(2, 1);   // 0 = 32-bit, 2 = 64-bit
inline constexpr Field kPrefetchable = bit(3);
inline constexpr unsigned kMemType64 = 2;
inline constexpr std::uint32_t kMemAddressMask = 0xfffffff0;
inline constexpr Field kMemFlags = bits(3, 0);  // the flag bits below a memory BAR's address
inline constexpr Field kIoFlags = bits(1, 0);   // the flag bits below an I/O BAR's address
}  // namespace bar

// Type 1 (bridge) bus numbers.
inline constexpr unsigned kPrimaryBus = 0x18;
inline constexpr unsigned kSecondaryBus = 0x19;
inline constexpr unsigned kSubordinateBus = 0x1a;
inline constexpr unsigned kIoBase = 0x1c;      // 8
inline constexpr Field kIoWindowAddress = bits(7, 4);   // I/O base/limit: address bits 15:12
inline constexpr unsigned kSecondaryStatus = 0x1e;  // 16
inline constexpr unsigned kMemoryBase = 0x20;   // 16
inline constexpr unsigned kMemoryLimit = 0x22;  // 16
inline constexpr unsigned kPrefetchBase = 0x24;   // 16
// Memory base/limit hold address bits 31:20 in register bits 15:4 (1 MiB granularity).
inline constexpr Field kWindowAddress = bits(15, 4);
inline constexpr unsigned kWindowShift = 20;

// Capability list: byte 0 ID, byte 1 next pointer.
namespace cap_id {
inline constexpr unsigned kPowerManagement = 0x01;
inline constexpr unsigned kMsi = 0x05;
inline constexpr unsigned kPcie = 0x10;
inline constexpr unsigned kMsix = 0x11;
}  // namespace cap_id

// Power Management capability (ID 0x01), offsets from the capability.
namespace pm {
inline constexpr unsigned kCapabilities = 0x02;   // 16 (PMC)
inline constexpr unsigned kControlStatus = 0x04;  // 16 (PMCSR)
inline constexpr unsigned kSize = 0x08;
inline constexpr Field kVersion = bits(2, 0);
inline constexpr Field kPowerState = bits(1, 0);   // in PMCSR: D0..D3hot
inline constexpr unsigned kVersion12 = 3;          // PCI PM 1.2
}  // namespace pm

// PCI Express capability (ID 0x10), offsets from the capability.
namespace pcie {
inline constexpr unsigned kCapabilities = 0x02;   // 16
inline constexpr unsigned kDeviceCap = 0x04;      // 32
inline constexpr unsigned kDeviceControl = 0x08;  // 16
inline constexpr unsigned kDeviceStatus = 0x0a;   // 16
inline constexpr unsigned kLinkCap = 0x0c;        // 32
inline constexpr unsigned kLinkControl = 0x10;    // 16
inline constexpr unsigned kLinkStatus = 0x12;     // 16
inline constexpr unsigned kLinkCap2 = 0x2c;       // 32
inline constexpr unsigned kLinkControl2 = 0x30;   // 16
inline constexpr unsigned kSize = 0x3c;           // v2 capability length
inline constexpr Field kCapVersion = bits(3, 0);
inline constexpr Field kPortType = bits(7, 4);
inline constexpr Field kRoleBasedErrorReporting = bit(15);   // in Device Capabilities
inline constexpr Field kDeviceStatusErrors = bits(3, 0);     // RW1C: Corr/NonFatal/Fatal/UnsupReq
inline constexpr Field kInitiateFlr = bit(15);               // in Device Control: a trigger, never stored
inline constexpr Field kAspmControl = bits(1, 0);            // in Link Control
inline constexpr Field kCommonClock = bit(6);                // in Link Control
inline constexpr Field kExtendedSynch = bit(7);              // in Link Control
inline constexpr Field kLinkMaxSpeed = bits(3, 0);
inline constexpr Field kLinkMaxWidth = bits(9, 4);
inline constexpr Field kLinkActiveReporting = bit(20);       // in Link Capabilities
inline constexpr Field kLinkPortNumber = bits(31, 24);
inline constexpr Field kLinkSpeed = bits(3, 0);
inline constexpr Field kLinkWidth = bits(9, 4);
inline constexpr Field kLinkActive = bit(13);                // in Link Status
inline constexpr Field kSupportedSpeeds = bits(7, 1);        // in Link Capabilities 2: bit n-1 = code n
inline constexpr Field kTargetSpeed = bits(3, 0);            // in Link Control 2
// Device/port type values.
inline constexpr unsigned kTypeEndpoint = 0x0;
inline constexpr unsigned kTypeLegacyEndpoint = 0x1;
inline constexpr unsigned kTypeRootPort = 0x4;
inline constexpr unsigned kTypeUpstreamPort = 0x5;
inline constexpr unsigned kTypeDownstreamPort = 0x6;
inline constexpr unsigned kTypeRcIntegratedEndpoint = 0x9;
inline constexpr unsigned kTypeRcEventCollector = 0xa;
// Link speed encodings 1..6 = 2.5, 5, 8, 16, 32, 64 GT/s.
inline constexpr unsigned kMaxSpeedCode = 6;
}  // namespace pcie

// MSI capability (ID 0x05), offsets from the capability.
namespace msi {
inline constexpr unsigned kControl = 0x02;   // 16
inline constexpr Field kMultipleMessageEnable = bits(6, 4);   // log2 of the vectors enabled
}  // namespace msi

// MSI-X capability (ID 0x11), offsets from the capability.
namespace msix {
inline constexpr unsigned kControl = 0x02;   // 16: table size - 1 in bits 10:0
inline constexpr unsigned kTable = 0x04;     // 32: BIR 2:0, offset 31:3
inline constexpr unsigned kPba = 0x08;       // 32
inline constexpr unsigned kSize = 0x0c;
inline constexpr Field kTableSize = bits(10, 0);
inline constexpr Field kFunctionMask = bit(14);
inline constexpr Field kEnable = bit(15);
inline constexpr Field kBir = bits(2, 0);
inline constexpr std::uint32_t kOffsetMask = 0xfffffff8;   // table/PBA offset, 8-byte aligned
inline constexpr unsigned kEntrySize = 16;
}  // namespace msix

// Extended capabilities (facts §1.1).
inline constexpr unsigned kExtCapStart = 0x100;
inline constexpr unsigned kMaxExtCapSteps = (kConfigSize - kLegacyConfigSize) / 8;  // 480
namespace ext_cap {
inline constexpr Field kId = bits(15, 0);
inline constexpr Field kVersion = bits(19, 16);
inline constexpr Field kNext = bits(31, 20);
inline constexpr std::uint32_t kNextAlignMask = 0xffc;
}  // namespace ext_cap
namespace ext_cap_id {
inline constexpr unsigned kAer = 0x01;
inline constexpr unsigned kDsn = 0x03;
inline constexpr unsigned kDvsec = 0x23;
inline constexpr unsigned kDoe = 0x2e;
}  // namespace ext_cap_id

// Device Serial Number (ext cap 0x03): 64-bit serial at +0x04.
namespace dsn {
inline constexpr unsigned kSerialLow = 0x04;
inline constexpr unsigned kSerialHigh = 0x08;
inline constexpr unsigned kSize = 0x0c;
}  // namespace dsn

}  // namespace cpmu::regs::pci
