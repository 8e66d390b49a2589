// lspci's -s selector, [[[[domain]:]bus]:][slot][.[func]]: every part may be
// left out (or empty) to match anything; numbers are hexadecimal.
#pragma once

#include "cpmu/export.hpp"

#include <optional>
#include <string_view>

#include "cpmu/pci_address.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

class CPMU_API SlotFilter {
 public:
  static Result<SlotFilter> parse(std::string_view text);
  bool matches(const PciAddress& address) const;

 private:
  std::optional<unsigned> domain_, bus_, device_, function_;
};

}  // namespace cpmu
