// StuckClockWatch: whether a clock_ticks counter has stopped. A device clock
// runs at kAssumedMinClockHz or more, so a counter of it that does not move
// is stuck, unless the device updates its counters in coarse steps (some
// update every 100 ms). So the doubt waits kStuckClockWindow, or twice the
// longest step this counter has been seen to take, whichever is longer, and
// is withdrawn, with a note, when the counter moves again.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace cpmu {

inline constexpr std::chrono::nanoseconds kStuckClockWindow = std::chrono::seconds(1);

class StuckClockWatch {
 public:
  // The counter counted from `start_ns` on.
  void reset(std::uint64_t start_ns);
  // A snapshot read in [t0_ns, t1_ns] found counter `counter` `advanced` (or not).
  void observe(bool advanced, std::uint64_t t0_ns, std::uint64_t t1_ns, unsigned counter);

  const std::string& doubt() const { return doubt_; }   // empty unless stuck now
  const std::string& note() const { return note_; }     // a withdrawn doubt, in words

 private:
  std::uint64_t window_ns() const;

  std::uint64_t last_advance_ns_ = 0;   // the end of the read that last saw it move
  std::uint64_t longest_step_ns_ = 0;
  std::string doubt_;
  std::string note_;
};

}  // namespace cpmu
