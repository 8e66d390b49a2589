// WrapTracker: an exact 64-bit total from a counter of any width (1..64)
// that wraps modulo 2^width, given the counter's value and its Overflow
// Status bit at each observation.
//
// Between two observations the counter advanced by the masked difference of
// the values plus some whole number of laps (2^width). The Overflow Status
// bit (set by every wrap, cleared at each observation) says whether the
// counter crossed zero at all; with at most one crossing per observation
// window, value and bit together give the exact increment:
//   - bit clear: no crossing, the masked difference;
//   - bit set and the value went down: that crossing, already in the masked
//     difference (the kernel adds 2^width here once more, facts §2.9);
//   - bit set and the value did not go down: one whole lap on top.
// A bit with no visible wrap can also be left over from a wrap this tracker
// already saw (a snapshot taken without freeze can read the status just
// before a wrap and the value just after). The caller's bound on how far the
// counter can have moved settles it: no full lap fits, so the bit is old.
#pragma once

#include <cstdint>

namespace cpmu {

class WrapTracker {
 public:
  explicit WrapTracker(unsigned width);

  unsigned width() const { return width_; }
  std::uint64_t total() const { return total_; }
  std::uint64_t last_value() const { return last_; }

  // The counter (re)starts from `value`; the total carries on from where it is.
  void rebase(std::uint64_t value) { last_ = value & mask_; }
  // Total and baseline back to zero.
  void reset() { total_ = 0; last_ = 0; }

  struct Step {
    std::uint64_t increment = 0;
    // Another lap fits in max_increment: the bit cannot tell one crossing
    // from several, so the total may be short by multiples of 2^width.
    bool ambiguous = false;
  };
  // `max_increment`: the most the counter can have advanced since the last
  // observation (saturated at 2^64 - 1). Inline: it runs for every counter
  // of every sample.
  Step observe(std::uint64_t value, bool overflowed, std::uint64_t max_increment) {
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

 private:
  // Whether increment + 2^width still fits under `bound`.
  bool another_lap_fits(std::uint64_t increment, std::uint64_t bound) const {
    // A lap of a 64-bit counter is 2^64, beyond any bound we can hold.
    if (width_ >= 64 || increment > bound) return false;
    return bound - increment >= mask_ + 1;
  }

  unsigned width_;
  std::uint64_t mask_;
  std::uint64_t last_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace cpmu
