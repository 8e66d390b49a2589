// Data Object Exchange mailbox (PCIe extended capability 0x2E), the data
// object header, the DOE discovery protocol and CXL table access.
// Source: ../shared/reference/cxl-facts.md §4.1-4.3 (DOE) and §5.1 (table access).
#pragma once

#include <cstdint>

#include "cpmu/regs/bitfield.hpp"

namespace cpmu::regs::doe {

// Offsets from the extended capability.
inline constexpr unsigned kCapabilities = 0x04;
inline constexpr unsigned kControl = 0x08;
inline constexpr unsigned kStatus = 0x0c;
inline constexpr unsigned kWriteMailbox = 0x10;
inline constexpr unsigned kReadMailbox = 0x14;
inline constexpr unsigned kCapSize = 0x18;

namespace cap {
inline constexpr Field kInterruptSupport = bit(0);
inline constexpr Field kInterruptMessageNumber = bits(11, 1);
}  // namespace cap
namespace control {
inline constexpr Field kAbort = bit(0);
inline constexpr Field kInterruptEnable = bit(1);
inline constexpr Field kGo = bit(31);
}  // namespace control
namespace status {
inline constexpr Field kBusy = bit(0);
inline constexpr Field kInterruptStatus = bit(1);
inline constexpr Field kError = bit(2);
inline constexpr Field kDataObjectReady = bit(31);
}  // namespace status

// Data object header: DW0 and DW1; the length counts the two header DWs.
namespace header {
inline constexpr Field kVendorId = bits(15, 0);
inline constexpr Field kType = bits(23, 16);
inline constexpr Field kLength = bits(17, 0);   // in DW1; 0 means kMaxLengthDw
}  // namespace header
inline constexpr std::uint32_t kMaxLengthDw = 1u << 18;
inline constexpr unsigned kHeaderDw = 2;

// Known (vendor, type) pairs.
inline constexpr std::uint16_t kPciSigVendorId = 0x0001;
inline constexpr std::uint8_t kTypeDiscovery = 0;
inline constexpr std::uint8_t kTypeCma = 1;
inline constexpr std::uint8_t kTypeSecuredCma = 2;
inline constexpr std::uint16_t kCxlVendorId = 0x1e98;
inline constexpr std::uint8_t kTypeCxlTableAccess = 2;

// Discovery request and response payload DW.
namespace discovery {
inline constexpr Field kRequestIndex = bits(7, 0);
inline constexpr Field kRequestVersion = bits(15, 8);
inline constexpr Field kResponseVendorId = bits(15, 0);
inline constexpr Field kResponseType = bits(23, 16);
inline constexpr Field kResponseNextIndex = bits(31, 24);
}  // namespace discovery

// CXL table access (read entry) request and response header DW.
namespace table_access {
inline constexpr Field kCode = bits(7, 0);          // 0 = read entry
inline constexpr Field kTableType = bits(15, 8);    // 0 = CDAT
inline constexpr Field kEntryHandle = bits(31, 16); // request: this entry; response: the next
inline constexpr std::uint16_t kLastEntry = 0xffff;
inline constexpr std::uint8_t kReadEntry = 0;
inline constexpr std::uint8_t kTableCdat = 0;
}  // namespace table_access

}  // namespace cpmu::regs::doe
