// CXL Performance Monitoring Unit register block: one map shared by the
// library and the simulator.
// Source: ../shared/reference/cxl-facts.md §2.1-2.6 (CXL r3.0 §8.2.7 as the
// kernel and QEMU use it; access types are derived, not read from the spec).
#pragma once

#include <cstdint>

#include "cpmu/regs/bitfield.hpp"

namespace cpmu::regs::cpmu {

inline constexpr unsigned kCapability = 0x000;       // 64, RO
inline constexpr unsigned kOverflowStatus = 0x010;   // 64, RW1C
inline constexpr unsigned kFreeze = 0x018;           // 64, RW
constexpr unsigned event_cap(unsigned n) { return 0x100 + 8 * n; }             // 64, RO
constexpr unsigned counter_config(unsigned n) { return 0x200 + 8 * n; }        // 64
constexpr unsigned filter_config(unsigned n, unsigned f) { return 0x400 + 4 * (f + 8 * n); }  // 32
constexpr unsigned counter_value(unsigned n) { return 0xc00 + 8 * n; }         // 64
inline constexpr unsigned kBlockSize = 0xe00;        // what the kernel maps
inline constexpr unsigned kMaxCounters = 64;
inline constexpr unsigned kMaxEventCaps = 32;
inline constexpr unsigned kFiltersPerCounter = 8;

namespace cap {
inline constexpr Field kNumCounters = bits(5, 0);     // count - 1
inline constexpr Field kCounterWidth = bits(15, 8);
inline constexpr Field kNumEventCaps = bits(24, 20);  // count - 1
inline constexpr Field kFiltersSupported = bits(39, 32);
inline constexpr Field kMsiNumber = bits(47, 44);
inline constexpr Field kWritableWhenFrozen = bit(48);
inline constexpr Field kFreeze = bit(49);
inline constexpr Field kInterrupt = bit(50);
inline constexpr Field kVersion = bits(63, 60);
}  // namespace cap

// Bits of cap::kFiltersSupported, and the filter register index each uses.
namespace filter {
inline constexpr unsigned kHdmDecoder = 0;         // bit 0, filter register 0
inline constexpr unsigned kChannelRankBank = 1;    // bit 1, filter register 1
inline constexpr std::uint32_t kDisabled = 0xffffffff;
}  // namespace filter

namespace event_cap_reg {
inline constexpr Field kSupportedEvents = bits(31, 0);
inline constexpr Field kGroupId = bits(47, 32);
inline constexpr Field kVendorId = bits(63, 48);
}  // namespace event_cap_reg

namespace counter_cfg {
inline constexpr Field kType = bits(1, 0);
inline constexpr Field kEnable = bit(8);
inline constexpr Field kIntOnOverflow = bit(9);
inline constexpr Field kFreezeOnOverflow = bit(10);
inline constexpr Field kEdge = bit(11);
inline constexpr Field kInvert = bit(12);
inline constexpr Field kThreshold = bits(23, 16);
inline constexpr Field kEvents = bits(55, 24);
inline constexpr Field kEventGroupIndex = bits(63, 59);
// Counter type values.
inline constexpr unsigned kTypeFreeRunning = 0;
inline constexpr unsigned kTypeFixed = 1;
inline constexpr unsigned kTypeConfigurable = 2;
}  // namespace counter_cfg

}  // namespace cpmu::regs::cpmu
