// The rules for cpmu's numeric and separator option values, one each, as
// cpmu(1) documents them. Every value is checked as the text typed (CLI11
// would also take hex, octal, inf and nan): a value given is never silently
// changed or "off", and a bad one is an error that echoes it printably
// (cpmu/printable_text.hpp) and says what is expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cpmu/result.hpp"

namespace cpmu::cli {

// A whole decimal number (digits only) from `min` to `max`; `what` names
// the unit in the message ("milliseconds"). The message starts with
// "OPTION 'TEXT': ".
Result<std::uint64_t> parse_whole_number(std::string_view option, std::string_view text, std::uint64_t min,
                                         std::uint64_t max, std::string_view what);

// A decimal number of seconds (digits, an optional fraction and exponent;
// no sign, hex, inf or nan) above 0 and at most `max`.
Result<double> parse_seconds(std::string_view option, std::string_view text, double max);

// A CSV field separator: one or more characters, none of them a double
// quote (the quoting character) or a control character other than tab (a
// newline would end a record), so that every line splits one way.
Status check_separator(std::string_view option, std::string_view text);

}  // namespace cpmu::cli
