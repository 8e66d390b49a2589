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

// Event identifiers (facts §3.3). Spec-defined events carry the CXL vendor ID
// (dvsec::kCxlVendorId) as Event Vendor ID; a group ID is a value of
// event_cap_reg::kGroupId, an event bit is a bit of counter_cfg::kEvents.
namespace event_group {
inline constexpr std::uint16_t kClockTicks = 0x0000;
inline constexpr std::uint16_t kD2hReq = 0x0010;
inline constexpr std::uint16_t kD2hRsp = 0x0011;
inline constexpr std::uint16_t kH2dReq = 0x0012;
inline constexpr std::uint16_t kH2dRsp = 0x0013;
inline constexpr std::uint16_t kCacheData = 0x0014;
inline constexpr std::uint16_t kM2sReq = 0x0020;
inline constexpr std::uint16_t kM2sRwd = 0x0021;
inline constexpr std::uint16_t kM2sBiRsp = 0x0022;
inline constexpr std::uint16_t kS2mBiSnp = 0x0023;
inline constexpr std::uint16_t kS2mNdr = 0x0024;
inline constexpr std::uint16_t kS2mDrs = 0x0025;
inline constexpr std::uint16_t kDdr = 0x8000;
inline constexpr std::uint16_t kQueueOccupancy = 0x8001;
inline constexpr std::uint16_t kQueueResidency = 0x8002;
inline constexpr std::uint16_t kRetry = 0x8003;
inline constexpr std::uint16_t kThrottle = 0x8004;
}  // namespace event_group

// Bit numbers of individual events within their group (add as needed).
namespace event_bit {
inline constexpr unsigned kClockTicks = 0;      // clock_ticks
inline constexpr unsigned kM2sReqMemRd = 1;     // m2s_req_memrd
inline constexpr unsigned kM2sRwdMemWr = 1;     // m2s_rwd_memwr
inline constexpr unsigned kM2sRwdMemWrPtl = 2;  // m2s_rwd_memwrptl
inline constexpr unsigned kS2mNdrCmp = 0;       // s2m_ndr_cmp
inline constexpr unsigned kS2mDrsMemData = 0;   // s2m_drs_memdata
inline constexpr unsigned kDdrAct = 0;          // ddr_act
inline constexpr unsigned kDdrPre = 1;          // ddr_pre
inline constexpr unsigned kDdrCasRd = 2;        // ddr_casrd
inline constexpr unsigned kDdrCasWr = 3;        // ddr_caswr
inline constexpr unsigned kDdrRefresh = 4;      // ddr_refresh
}  // namespace event_bit

}  // namespace cpmu::regs::cpmu
