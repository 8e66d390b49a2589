#include "counting/stuck_clock_watch.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "counting/device_clock.hpp"

namespace cpmu {
namespace {

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

void StuckClockWatch::reset(std::uint64_t start_ns) { *this = StuckClockWatch(), last_advance_ns_ = start_ns; }

std::uint64_t StuckClockWatch::window_ns() const {
  return std::max<std::uint64_t>(static_cast<std::uint64_t>(kStuckClockWindow.count()), 2 * longest_step_ns_);
}

void StuckClockWatch::observe(bool advanced, std::uint64_t t0_ns, std::uint64_t t1_ns, unsigned counter) {
  // The counter moved somewhere between the last read that saw it move and
  // this one: the longest it can have been still is the span between them.
  const std::uint64_t still = t1_ns > last_advance_ns_ ? t1_ns - last_advance_ns_ : 0;
  if (advanced) {
    if (!doubt_.empty()) {
      note_ = fmt::format("clock_ticks counter {} did not advance for {:.3f} ms and was doubted as stuck, then it "
                          "advanced: it updates in steps that long, and the doubt was withdrawn",
                          counter, ms(still));
      doubt_.clear();
    }
    longest_step_ns_ = std::max(longest_step_ns_, still);
    last_advance_ns_ = t1_ns;
    return;
  }
  // The counter has surely been still since the last read that saw it move
  // ended, up to this read's start.
  const std::uint64_t surely_still = t0_ns > last_advance_ns_ ? t0_ns - last_advance_ns_ : 0;
  if (surely_still < window_ns()) return;
  doubt_ = fmt::format("clock_ticks counter {} did not advance in {:.3f} ms, though a device clock runs at {} MHz or "
                       "more and this counter was never seen to take steps longer than {:.3f} ms: the counter is stuck",
                       counter, ms(surely_still), kAssumedMinClockHz / 1'000'000, ms(longest_step_ns_));
}

}  // namespace cpmu
