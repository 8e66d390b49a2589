// Readable gtest output for event codes.
#pragma once

#include <fmt/format.h>

#include <ostream>

#include "cpmu/events.hpp"

namespace cpmu {

inline void PrintTo(const EventCode& code, std::ostream* os) {
  *os << fmt::format("vid={:#x},gid={:#x},mask={:#x}", code.vid, code.gid, code.mask);
}

}  // namespace cpmu
