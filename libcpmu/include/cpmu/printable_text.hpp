// The one rule for echoing a value cpmu did not write itself (a user's
// option, a topology or dump file's text, a sysfs attribute) in a message:
// printable ASCII as it is, every other byte as \xNN, so that no escape
// sequence reaches a terminal and every message is valid UTF-8 (messages end
// up in JSON too), and cut after kPrintableLimit bytes with "..." so that a
// megabyte of bad input gives a line of message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "cpmu/export.hpp"

namespace cpmu {

inline constexpr std::size_t kPrintableLimit = 200;

CPMU_API std::string printable(std::string_view text);

// The same escaping without the cut, for a whole message built from values
// that were not all made printable where they were echoed.
CPMU_API std::string printable_message(std::string_view text);

}  // namespace cpmu
