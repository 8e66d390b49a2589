// InterruptLedger: matches the overflow interrupts a CPMU delivered with the
// wraps its snapshots saw, and lays interrupts the wraps do not explain on
// the counters that can have wrapped unseen, so that doubt falls only on
// evidence.
//
// Every wrap of an interrupting counter raises one interrupt, and its
// Overflow Status bit stays set until a snapshot clears it. An interrupt can
// arrive before the snapshot that sees its bit, with it, or (service latency,
// or a wrap raised by the snapshot's own reads) after it: a wrap seen is owed
// its interrupt until one comes. Interrupts beyond the wraps seen and owed
// are unexplained: a counter wrapped more than once while its bit was set
// (several wraps, one bit), or, with no such counter, they are spurious.
//
// One vector serves every counter of a CPMU, so an interrupt does not say
// whose wrap raised it, and it arrives late: the one a hidden second wrap
// raised often comes after the snapshot that saw its counter's bit, when the
// bits set are other counters'. So a counter whose bit was set and in which
// a second lap fits is a suspect from that snapshot on, and an unexplained
// interrupt falls on the suspects, not on whoever's bit is set when it
// arrives: on those whose own observed rate says they lost laps when those
// laps account for every unexplained interrupt, else on every suspect. A suspect is cleared by a quiet settle (every wrap seen has had
// its interrupt, none is new) once the interrupts owed when it became one
// have come, or, if none were owed, once the longest lateness measured so
// far has passed: an interrupt a hidden wrap raised comes with or before
// those, or within that time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "counting/wrap_evidence.hpp"

namespace cpmu {

class InterruptLedger {
 public:
  // `counter`'s bit was set in the snapshot that ended at `at_ns`, and a
  // second lap fits in its step (`evidence`). Call before settle().
  void suspect(std::size_t counter, const WrapEvidence& evidence, std::uint64_t at_ns);

  struct Doubted {
    std::size_t counter = 0;
    WrapEvidence evidence;  // of the step it became a suspect in
  };
  struct Settlement {
    std::uint64_t unexplained = 0;
    std::vector<Doubted> doubted;  // the suspects the unexplained interrupts fall on
    bool spurious = false;         // unexplained, no suspect and no wrap seen
  };
  // `interrupts` taken at a snapshot ending at `now_ns` that showed
  // `wraps_seen` interrupting counters with their bit set; `counters`
  // interrupting counters in all.
  Settlement settle(std::uint64_t interrupts, std::uint64_t wraps_seen, std::uint64_t counters, std::uint64_t now_ns);

  bool has_suspects() const { return !suspects_.empty(); }
  std::uint64_t owed() const { return owed_; }
  // The longest a wrap seen waited for its interrupt so far (ns).
  std::uint64_t lateness_bound_ns() const { return lateness_bound_ns_; }
  void reset() { *this = InterruptLedger(); }

 private:
  struct Suspect {
    std::size_t counter = 0;
    WrapEvidence evidence;
    std::uint64_t since_ns = 0;
    bool settled = false;         // its snapshot has been settled ...
    bool awaits_payment = false;  // ... and left interrupts owed ...
    std::uint64_t payments = 0;   // ... as of this many paid-up settles
  };
  std::vector<Suspect> suspects_;  // one per counter at most
  std::uint64_t owed_ = 0;
  std::uint64_t payments_ = 0;  // settles that paid every owed interrupt
  std::uint64_t owed_since_ns_ = 0;
  std::uint64_t lateness_bound_ns_ = 0;
};

}  // namespace cpmu
