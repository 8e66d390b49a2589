// InterruptLedger: matches the overflow interrupts a CPMU delivered with the
// wraps its snapshots saw, so that doubt falls only on evidence.
//
// Every wrap of an interrupting counter raises one interrupt, and its
// Overflow Status bit stays set until a snapshot clears it. An interrupt can
// arrive before the snapshot that sees its bit, with it, or (service latency,
// or a wrap raised by the snapshot's own reads) after it: a wrap seen is owed
// its interrupt until one comes. Interrupts beyond the wraps seen and owed
// are unexplained: either some counter whose bit was set wrapped more than
// once (only it can be short), or, with no bit set, they are spurious.
#pragma once

#include <cstdint>

namespace cpmu {

class InterruptLedger {
 public:
  // `interrupts` taken at a snapshot that showed `wraps_seen` interrupting
  // counters with their bit set; `counters` interrupting counters in all.
  // Returns the unexplained interrupts.
  std::uint64_t settle(std::uint64_t interrupts, std::uint64_t wraps_seen, std::uint64_t counters);
  void reset() { owed_ = 0; }

 private:
  std::uint64_t owed_ = 0;
};

}  // namespace cpmu
