// Traffic: deterministic event generators. A TrafficSource answers "how many
// events of (VID, GID, bit) happened in [0, t]" exactly, as a cumulative,
// monotonically non-decreasing integer function of time. Counter models
// difference it; tests read it as the ground truth.
#pragma once

#include <cstdint>
#include <optional>

namespace cpmu::sim {

struct EventKey {
  std::uint16_t vid = 0;
  std::uint16_t gid = 0;
  std::uint8_t bit = 0;   // 0..31
  bool operator==(const EventKey&) const = default;
};

// What a counter's filter registers select. nullopt = that filter is off
// (register value 0xFFFFFFFF). A filter that does not apply to an event's
// group leaves its count unchanged.
struct FilterSelection {
  std::optional<std::uint32_t> hdm_decoder;
  std::optional<std::uint32_t> channel_rank_bank;
  bool operator==(const FilterSelection&) const = default;
};

class TrafficSource {
 public:
  virtual ~TrafficSource() = default;
  // Events of `key` (matching `filter`) in [0, t_ns]. Monotone in t_ns.
  virtual std::uint64_t cumulative(const EventKey& key, const FilterSelection& filter,
                                   std::uint64_t t_ns) const = 0;
  // Device clock cycles in [0, t_ns] (the clock_ticks event).
  virtual std::uint64_t cycles(std::uint64_t t_ns) const = 0;
};

}  // namespace cpmu::sim
