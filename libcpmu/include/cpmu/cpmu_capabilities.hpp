// What one CPMU register block says it can do: the CPMU Capability register,
// its Event Capabilities registers and each counter's (read-only) type.
// Source: ../shared/reference/cxl-facts.md §2.2-2.4.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

class Mmio;  // platform.hpp: read_cpmu_capabilities() takes one, the values need none

struct EventCapability {
  std::uint16_t vendor_id = 0;
  std::uint16_t group_id = 0;
  std::uint32_t supported_events = 0;   // bit n: event n of the group can be counted
};

enum class CounterType { kFreeRunning, kFixed, kConfigurable, kReserved };
CPMU_API std::string_view counter_type_name(CounterType type);  // "free-running", "fixed", ...

struct CounterInfo {
  CounterType type = CounterType::kReserved;
  // Meaningful for fixed-function and free-running counters, where these
  // fields are hard-wired and say what the counter counts.
  std::uint32_t events = 0;
  unsigned event_group_index = 0;
};

struct CpmuCapabilities {
  std::uint64_t raw = 0;              // the Capability register as read
  unsigned counter_count = 0;         // 1..64
  unsigned counter_width = 0;         // bits
  unsigned event_capability_count = 0;  // 1..32
  std::uint8_t filters = 0;           // bitmap: bit 0 HDM decoder, bit 1 channel/rank/bank
  unsigned interrupt_message = 0;     // MSI/MSI-X message number for overflow interrupts
  bool interrupt = false;             // overflow interrupt supported
  bool freeze = false;                // counter freeze supported
  bool writable_when_frozen = false;
  unsigned version = 0;
  std::vector<EventCapability> event_capabilities;
  std::vector<CounterInfo> counters;

  bool hdm_filter() const { return (filters & 1u) != 0; }
  bool channel_rank_bank_filter() const { return (filters & 2u) != 0; }
};

// Decodes a mapped CPMU block (at least regs::cpmu::kBlockSize bytes).
// Fails with kDeviceGone if the Capability register reads all ones and with
// kMalformed for a width the counters cannot have (0 or more than 64 bits)
// or a fixed/free-running counter naming an Event Capabilities register the
// block does not have.
CPMU_API Result<CpmuCapabilities> read_cpmu_capabilities(Mmio& block);

}  // namespace cpmu
