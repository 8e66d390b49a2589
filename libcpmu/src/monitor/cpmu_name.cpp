#include "cpmu/cpmu_name.hpp"
#include "cpmu/printable_text.hpp"

#include <fmt/format.h>

#include <charconv>

namespace cpmu {

std::string CpmuName::to_string() const { return fmt::format("{}/{}", function.to_string(), instance); }

Result<CpmuName> CpmuName::parse(std::string_view text) {
  const auto slash = text.rfind('/');
  if (slash == std::string_view::npos) {
    return Error(
        Errc::kInvalidArgument,
        fmt::format("'{}' is not a CPMU name (expected [DDDD:]BB:DD.F/N, e.g. 0000:0d:00.0/0)", printable(text)));
  }
  auto function = PciAddress::parse(text.substr(0, slash));
  if (!function) return function.error();
  const std::string_view number = text.substr(slash + 1);
  unsigned instance = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), instance, 10);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size()) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("'{}': '{}' is not a CPMU instance number (decimal, 0 for the first CPMU)",
                             printable(text), printable(number)));
  }
  return CpmuName{*function, instance};
}

}  // namespace cpmu
