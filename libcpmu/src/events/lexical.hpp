// Lexical rules shared by event files, event terms and metric formulas: what
// a name is, which names are reserved, and how numbers are written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cpmu::detail {

inline constexpr std::size_t kMaxNameLength = 64;
inline constexpr std::string_view kIntervalName = "interval";

bool is_name_start(char c);
bool is_name_char(char c);

// Empty when `name` may name a catalogue entry, else why not.
std::string name_problem(std::string_view name);

// Decimal, or hexadecimal after 0x/0X; nullopt if malformed or above 2^64-1.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

}  // namespace cpmu::detail
