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
inline constexpr Field kArraySize = bits(31, 24);     // in the array header: number of caps
inline constexpr Field kCapPointer = bits(31, 20);    // in a cap header: offset from +0x1000
inline constexpr unsigned kArrayHeaderId = 1;
namespace cap_id {
inline constexpr unsigned kRas = 2;
inline constexpr unsigned kLink = 4;
inline constexpr unsigned kHdmDecoder = 5;
}  // namespace cap_id
// HDM decoder capability register (first DW of the HDM block): decoder count code.
inline constexpr Field kHdmDecoderCount = bits(3, 0);   // 0 -> 1 decoder, n -> 2n decoders (n <= 4)

}  // namespace cpmu::regs::component

namespace cpmu::regs::memdev {

inline constexpr unsigned kBlockSize = 0x1000;
// 64-bit capability array header at +0.
inline constexpr Field kArrayId = bits(15, 0);       // must be 0
inline constexpr Field kArrayCount = bits(47, 32);
// Capability i header at 0x10 * (i + 1): ID (15:0), offset DW at +4, length DW at +8.
constexpr unsigned cap_header(unsigned i) { return 0x10 * (i + 1); }
inline constexpr Field kCapId = bits(15, 0);
namespace cap_id {
inline constexpr unsigned kDeviceStatus = 1;
inline constexpr unsigned kPrimaryMailbox = 2;
inline constexpr unsigned kSecondaryMailbox = 3;
inline constexpr unsigned kMemoryDevice = 0x4000;
}  // namespace cap_id

}  // namespace cpmu::regs::memdev
