// How cpmu names one CPMU: the PCI function that holds it and its instance
// (the n-th CPMU register block of that function, in Register Locator order),
// written "0000:0d:00.0/0". Unlike the kernel's cxl_pmu_memX.Y it exists for
// every CPMU (ports too, and machines without the kernel driver) and says
// where the hardware is.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "cpmu/export.hpp"
#include "cpmu/pci_address.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

struct CPMU_API CpmuName {
  PciAddress function;
  unsigned instance = 0;

  std::string to_string() const;   // "0000:0d:00.0/0"
  // "DDDD:BB:DD.F/N" or "BB:DD.F/N" (domain 0), N decimal.
  static Result<CpmuName> parse(std::string_view text);

  auto operator<=>(const CpmuName&) const = default;
};

}  // namespace cpmu
