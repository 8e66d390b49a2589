#include "counting/wrap_tracker.hpp"

#include "cpmu/regs/bitfield.hpp"

namespace cpmu {

WrapTracker::WrapTracker(unsigned width) : width_(width), mask_(regs::bits(width - 1, 0).max()) {}

bool WrapTracker::another_lap_fits(std::uint64_t increment, std::uint64_t bound) const {
  // A lap of a 64-bit counter is 2^64, beyond any bound we can hold.
  if (width_ >= 64 || increment > bound) return false;
  return bound - increment >= mask_ + 1;
}

WrapTracker::Step WrapTracker::observe(std::uint64_t value, bool overflowed, std::uint64_t max_increment) {
  value &= mask_;
  Step step;
  step.increment = (value - last_) & mask_;
  if (overflowed) {
    // Taken mod 2^64 like the total, so a 64-bit counter's lap adds nothing.
    const bool wrap_visible = value < last_;
    if (!wrap_visible && another_lap_fits(step.increment, max_increment)) step.increment += mask_ + 1;
    step.ambiguous = another_lap_fits(step.increment, max_increment);
  }
  total_ += step.increment;
  last_ = value;
  return step;
}

}  // namespace cpmu
