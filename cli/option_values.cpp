#include "option_values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "cpmu/printable_text.hpp"

namespace cpmu::cli {

namespace {

Error bad(std::string_view option, std::string_view text, const std::string& expected) {
  return Error(Errc::kInvalidArgument, fmt::format("{} '{}': {}", option, printable(text), expected));
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<std::uint64_t> parse_whole_number(std::string_view option, std::string_view text, std::uint64_t min,
                                         std::uint64_t max, std::string_view what) {
  const std::string expected = fmt::format("expected a whole number of {} from {} to {}", what, min, max);
  std::uint64_t value = 0;
  if (!all_digits(text)) return bad(option, text, expected);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return bad(option, text, expected);
  }
  return value;
}

Result<double> parse_seconds(std::string_view option, std::string_view text, double max) {
  const std::string expected = fmt::format("expected a decimal number of seconds above 0 and at most {:.0f}", max);
  // Checked by shape first: strtod alone would take hex, inf, nan and a sign.
  static const std::regex kDecimal(R"(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)");
  if (text.size() > 64 || !std::regex_match(text.begin(), text.end(), kDecimal)) return bad(option, text, expected);
  const std::string copy(text);
  const double value = std::strtod(copy.c_str(), nullptr);
  if (!std::isfinite(value) || !(value > 0) || value > max) return bad(option, text, expected);
  return value;
}

Status check_separator(std::string_view option, std::string_view text) {
  const bool usable = !text.empty() && std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '"' || u == 0x7f || (u < 0x20 && c != '\t');
  });
  if (usable) return {};
  return bad(option, text,
             "expected one or more characters, none a double quote or a control character other than tab, "
             "e.g. -x ,");
}

}  // namespace cpmu::cli
