// The other register blocks a Register Locator names: the component block
// (CXL.cache/mem capability array) and the memory-device block (device
// capability array).
// Source: ../shared/reference/cxl-facts.md §1.6; QEMU capability offsets from
// ../shared/qemu-cxl/README.md.
#pragma once

#include <cstdint>

#include "cpmu/regs/bitfield.hpp"

namespace cpmu::regs::component {

inline constexpr unsigned kBlockSize = 0x10000;
inline constexpr unsigned kCacheMemArray = 0x1000;   // CXL.cache/mem capability array
// Array header (DW at +0x1000) and each capability header (DW at +0x1000 + 4*i).
inline constexpr Field kCapId = bits(15, 0);
inline constexpr Field kCapVersion = bits(19, 16);
inline constexpr Field kCacheMemVersion = bits(23, 20);   // in the array header
inline constexpr Field kArraySize = bits(31, 24);     // in the array header: number of caps
inline constexpr Field kCapPointer = bits(31, 20);    // in a cap header: offset from +0x1000
inline constexpr unsigned kArrayHeaderId = 1;
// QEMU keeps the first 0x80 bytes of the array for headers and places each
// structure right after the previous one; we do the same.
inline constexpr unsigned kFirstCapStructure = 0x80;
namespace cap_id {
inline constexpr unsigned kRas = 2;
inline constexpr unsigned kLink = 4;
inline constexpr unsigned kHdmDecoder = 5;
}  // namespace cap_id
// Structure versions and lengths as in QEMU 7.2's dumps.
namespace ras {
inline constexpr unsigned kVersion = 2;
inline constexpr unsigned kLength = 0x58;
inline constexpr unsigned kUncorrectableMask = 0x04;      // 32
inline constexpr unsigned kUncorrectableSeverity = 0x08;  // 32
inline constexpr unsigned kCorrectableMask = 0x10;        // 32
inline constexpr std::uint32_t kUncorrectableBits = 0x0001cfff;
inline constexpr std::uint32_t kCorrectableBits = 0x0000007f;
}  // namespace ras
namespace link {
inline constexpr unsigned kVersion = 2;
inline constexpr unsigned kLength = 0x38;
}  // namespace link
namespace hdm {
inline constexpr unsigned kVersion = 1;
constexpr unsigned length(unsigned decoders) { return 0x10 + 0x20 * decoders; }
}  // namespace hdm
// HDM decoder capability register (first DW of the HDM block): decoder count code.
inline constexpr Field kHdmDecoderCount = bits(3, 0);   // 0 -> 1 decoder, n -> 2n decoders (n <= 4)
inline constexpr Field kHdmTargetCount = bits(7, 4);
inline constexpr Field kHdmInterleave11To8 = bit(8);
inline constexpr Field kHdmInterleave14To12 = bit(9);

}  // namespace cpmu::regs::component

namespace cpmu::regs::memdev {

inline constexpr unsigned kBlockSize = 0x1000;
// 64-bit capability array header at +0.
inline constexpr Field kArrayId = bits(15, 0);       // must be 0
inline constexpr Field kArrayCount = bits(47, 32);
// Capability i header at 0x10 * (i + 1): ID (15:0), offset DW at +4, length DW at +8.
constexpr unsigned cap_header(unsigned i) { return 0x10 * (i + 1); }
inline constexpr Field kArrayVersion = bits(23, 16);
inline constexpr Field kCapId = bits(15, 0);
inline constexpr Field kCapVersion = bits(23, 16);
inline constexpr unsigned kCapOffset = 0x04;   // DW in a cap header: offset from the block start
inline constexpr unsigned kCapLength = 0x08;   // DW in a cap header: length in bytes
namespace cap_id {
inline constexpr unsigned kDeviceStatus = 1;
inline constexpr unsigned kPrimaryMailbox = 2;
inline constexpr unsigned kSecondaryMailbox = 3;
inline constexpr unsigned kMemoryDevice = 0x4000;
}  // namespace cap_id
// Where QEMU 7.2's cxl-type3 places its three capabilities (blk3 dump).
namespace layout {
inline constexpr unsigned kDeviceStatus = 0x80, kDeviceStatusLength = 0x08;
inline constexpr unsigned kPrimaryMailbox = 0x88, kPrimaryMailboxLength = 0x820;
inline constexpr unsigned kMemoryDeviceStatus = 0x8a8, kMemoryDeviceStatusLength = 0x08;
}  // namespace layout
// Mailbox Capabilities register (first DW of the mailbox): log2 of the payload size.
inline constexpr Field kMailboxPayloadSize = bits(4, 0);
inline constexpr unsigned kPayloadSizeLog2 = 11;   // 2 KiB, QEMU's payload
// Memory Device Status register.
inline constexpr Field kMediaStatus = bits(3, 2);   // 1 = ready
inline constexpr Field kMailboxReady = bit(4);
inline constexpr unsigned kMediaReady = 1;

}  // namespace cpmu::regs::memdev
