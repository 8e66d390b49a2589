#include "events/lexical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace cpmu::detail {

namespace {

// Formula variables and event-term fields: a catalogue entry with one of
// these names would make terms and formulas ambiguous.
constexpr std::array<std::string_view, 9> kReservedNames = {
    kIntervalName, "vid", "gid", "mask", "threshold", "edge", "invert", "hdm", "hdm_filter_en"};

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

bool is_name_start(char c) { return is_ascii_letter(c) || c == '_'; }

bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

std::string name_problem(std::string_view name) {
  if (name.empty()) return "a name must not be empty";
  if (name.size() > kMaxNameLength) {
    return fmt::format("name is longer than {} characters", kMaxNameLength);
  }
  if (!is_name_start(name.front())) return "a name must start with a letter or '_'";
  if (!std::all_of(name.begin(), name.end(), is_name_char)) {
    return "a name may contain only letters, digits and '_'";
  }
  if (std::find(kReservedNames.begin(), kReservedNames.end(), name) != kReservedNames.end()) {
    return fmt::format("'{}' is reserved", name);
  }
  return {};
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace cpmu::detail
