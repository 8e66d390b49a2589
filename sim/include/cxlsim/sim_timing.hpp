// How long the simulated machine takes, so that software meets hardware's
// time costs: a register access is a PCIe round trip, an interrupt reaches
// its subscriber some time after the wrap, and the models are synced only
// every tick (the ticker of a real clock can also be late). All of it works
// in virtual time too (an access moves the virtual clock on), so tests of
// timing effects stay deterministic. docs/simulator-model.md, "Timing".
#pragma once

#include <cstdint>

#include "cpmu/result.hpp"

namespace cpmu::sim {

// How often models are synced: every advance() step with a virtual clock, and
// the ticker thread's period with a real one, unless SimTiming says otherwise.
inline constexpr std::uint64_t kTickNs = 1'000'000;
// Bounds the topology reader and set_timing() accept.
inline constexpr std::uint64_t kMaxRegisterAccessNs = 1'000'000;      // 1 ms
inline constexpr std::uint64_t kMaxInterruptLatencyNs = 1'000'000'000;   // 1 s
inline constexpr std::uint64_t kMinTickNs = 1'000;
inline constexpr std::uint64_t kMaxTickNs = 1'000'000'000;

struct SimTiming {
  // Every MMIO access (read or write) takes this long; the model sees it
  // when the access completes.
  std::uint64_t register_access_ns = 0;
  // From the sync that finds a wrap to the interrupt reaching subscribers.
  std::uint64_t interrupt_latency_ns = 0;
  // Model sync period (virtual advance() step, real ticker period).
  std::uint64_t tick_ns = kTickNs;
  bool operator==(const SimTiming&) const = default;
};

// Names the field out of bounds: "register_access_ns 2000000 must be 0..1000000".
Status check_timing(const SimTiming& timing);

}  // namespace cpmu::sim
