// A PCI function address (domain:bus:device.function) and its text forms.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "cpmu/export.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

struct CPMU_API PciAddress {
  std::uint16_t domain = 0;
  std::uint8_t bus = 0;
  std::uint8_t device = 0;    // 0..31
  std::uint8_t function = 0;  // 0..7

  // "0000:0d:00.0"
  std::string to_string() const;
  // Accepts "DDDD:BB:DD.F" and "BB:DD.F" (domain 0), hexadecimal as lspci prints.
  static Result<PciAddress> parse(std::string_view text);

  auto operator<=>(const PciAddress&) const = default;
};

}  // namespace cpmu
