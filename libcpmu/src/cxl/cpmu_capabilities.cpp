#include "cpmu/cpmu_capabilities.hpp"

#include <fmt/format.h>

#include "cpmu/platform.hpp"
#include "cpmu/regs/cpmu.hpp"

namespace cpmu {

namespace reg = regs::cpmu;

std::string_view counter_type_name(CounterType type) {
  switch (type) {
    case CounterType::kFreeRunning: return "free-running";
    case CounterType::kFixed: return "fixed";
    case CounterType::kConfigurable: return "configurable";
    case CounterType::kReserved: return "reserved";
  }
  return "reserved";
}

Result<CpmuCapabilities> read_cpmu_capabilities(Mmio& block) {
  if (block.size() < reg::kBlockSize) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("CPMU window is 0x{:x} bytes, the register block needs 0x{:x}", block.size(),
                             reg::kBlockSize));
  }
  CpmuCapabilities caps;
  caps.raw = block.read64(reg::kCapability);
  if (caps.raw == ~0ULL) return Error(Errc::kDeviceGone, "CPMU Capability register reads all ones");
  // Both counts are encoded as count - 1 (facts §2.2).
  caps.counter_count = static_cast<unsigned>(reg::cap::kNumCounters.get(caps.raw)) + 1;
  caps.counter_width = static_cast<unsigned>(reg::cap::kCounterWidth.get(caps.raw));
  caps.event_capability_count = static_cast<unsigned>(reg::cap::kNumEventCaps.get(caps.raw)) + 1;
  caps.filters = static_cast<std::uint8_t>(reg::cap::kFiltersSupported.get(caps.raw));
  caps.interrupt_message = static_cast<unsigned>(reg::cap::kMsiNumber.get(caps.raw));
  caps.writable_when_frozen = reg::cap::kWritableWhenFrozen.get(caps.raw) != 0;
  caps.freeze = reg::cap::kFreeze.get(caps.raw) != 0;
  caps.interrupt = reg::cap::kInterrupt.get(caps.raw) != 0;
  caps.version = static_cast<unsigned>(reg::cap::kVersion.get(caps.raw));
  if (caps.counter_width == 0 || caps.counter_width > 64) {
    return Error(Errc::kMalformed, fmt::format("CPMU Capability 0x{:016x}: counter width {} bits is impossible",
                                               caps.raw, caps.counter_width));
  }
  for (unsigned n = 0; n < caps.event_capability_count; ++n) {
    std::uint64_t value = block.read64(reg::event_cap(n));
    caps.event_capabilities.push_back({static_cast<std::uint16_t>(reg::event_cap_reg::kVendorId.get(value)),
                                       static_cast<std::uint16_t>(reg::event_cap_reg::kGroupId.get(value)),
                                       static_cast<std::uint32_t>(reg::event_cap_reg::kSupportedEvents.get(value))});
  }
  for (unsigned n = 0; n < caps.counter_count; ++n) {
    std::uint64_t config = block.read64(reg::counter_config(n));
    CounterInfo counter;
    switch (reg::counter_cfg::kType.get(config)) {
      case reg::counter_cfg::kTypeFreeRunning: counter.type = CounterType::kFreeRunning; break;
      case reg::counter_cfg::kTypeFixed: counter.type = CounterType::kFixed; break;
      case reg::counter_cfg::kTypeConfigurable: counter.type = CounterType::kConfigurable; break;
      default: counter.type = CounterType::kReserved; break;
    }
    if (counter.type == CounterType::kFixed || counter.type == CounterType::kFreeRunning) {
      counter.events = static_cast<std::uint32_t>(reg::counter_cfg::kEvents.get(config));
      counter.event_group_index = static_cast<unsigned>(reg::counter_cfg::kEventGroupIndex.get(config));
      if (counter.event_group_index >= caps.event_capability_count) {
        return Error(Errc::kMalformed,
                     fmt::format("counter {} ({}) names Event Capabilities register {}, but the block has {}", n,
                                 counter_type_name(counter.type), counter.event_group_index,
                                 caps.event_capability_count));
      }
    }
    caps.counters.push_back(counter);
  }
  return caps;
}

}  // namespace cpmu
