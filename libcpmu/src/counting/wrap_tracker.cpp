#include "counting/wrap_tracker.hpp"

#include "cpmu/regs/bitfield.hpp"

namespace cpmu {

WrapTracker::WrapTracker(unsigned width) : width_(width), mask_(regs::bits(width - 1, 0).max()) {}

}  // namespace cpmu
