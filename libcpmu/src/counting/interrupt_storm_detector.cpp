#include "counting/interrupt_storm_detector.hpp"

#include <fmt/format.h>

namespace cpmu {

void InterruptStormDetector::record(std::uint64_t spurious, std::uint64_t now_ns) {
  if (now_ns - window_start_ns_ >= static_cast<std::uint64_t>(kStormWindow.count())) {
    window_start_ns_ = now_ns;
    window_spurious_ = 0;
  }
  window_spurious_ += spurious;
  spurious_ += spurious;
  if (!storm_since_ns_ && window_spurious_ >= kStormInterrupts) storm_since_ns_ = now_ns;
}

std::string InterruptStormDetector::description() const {
  if (!storm_since_ns_) return {};
  return fmt::format("interrupt storm: {} overflow interrupts without an overflow bit (the storm began {:.3f} s "
                     "after start); since then interrupts are ignored ({} so far) and counters are polled",
                     spurious_, static_cast<double>(*storm_since_ns_) / 1e9, ignored_);
}

}  // namespace cpmu
