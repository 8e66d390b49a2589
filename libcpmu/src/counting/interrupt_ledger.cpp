#include "counting/interrupt_ledger.hpp"

#include <algorithm>

namespace cpmu {

// Two interrupts owed per counter at most: one for the wrap a snapshot saw
// and one for a wrap the snapshot's own reads raised. A device that merges
// interrupts (UNVERIFIED whether any does) would leave credit behind
// forever; the cap keeps that from hiding more than that many later.
constexpr std::uint64_t kOwedPerCounter = 2;

std::uint64_t InterruptLedger::settle(std::uint64_t interrupts, std::uint64_t wraps_seen, std::uint64_t counters) {
  const std::uint64_t credit = owed_ + wraps_seen;
  if (interrupts > credit) {
    owed_ = 0;
    return interrupts - credit;
  }
  owed_ = std::min(credit - interrupts, kOwedPerCounter * counters);
  return 0;
}

}  // namespace cpmu
