#include "cpmu/value_text.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace cpmu {

std::string grouped(std::uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string si_scaled(double value, int decimals) {
  static constexpr std::array<const char*, 7> kPrefixes = {"", "K", "M", "G", "T", "P", "E"};
  std::size_t prefix = 0;
  // Compared as it will print, so 999999.9996 becomes "1.000 M", not "1000.000 K".
  const double limit = 1000.0 - 0.5 * std::pow(10.0, -decimals);
  while (std::fabs(value) >= limit && prefix + 1 < kPrefixes.size()) {
    value /= 1000.0;
    ++prefix;
  }
  // An unprefixed value keeps the column of the prefix letter blank, so
  // "12.000  /sec" lines up under "12.346 M/sec".
  return fmt::format("{:.{}f} {}", value, decimals, prefix == 0 ? " " : kPrefixes[prefix]);
}

std::string per_second(double value) { return si_scaled(value) + "/sec"; }

std::string percent(double share) { return fmt::format("{:.2f}%", share * 100.0); }

std::string seconds(std::uint64_t ns) { return fmt::format("{}.{:09}", ns / 1'000'000'000, ns % 1'000'000'000); }

std::string count_value(double estimate) {
  if (!(estimate >= 0)) return "0";
  if (estimate >= 18446744073709551615.0) return grouped(18446744073709551615ull);
  return grouped(static_cast<std::uint64_t>(std::llround(estimate)));
}

std::string quantity(double value, Unit unit) {
  switch (unit) {
    case Unit::kRatio: return fmt::format("{:.3f}", value);
    case Unit::kPercent: return fmt::format("{:.2f}%", value);
    default: return si_scaled(value) + std::string(unit_symbol(unit));
  }
}

}  // namespace cpmu
