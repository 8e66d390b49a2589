// Fuzzes metric formulas: parsing and evaluation must never crash, and a
// formula that parses must evaluate without reading a name it did not list.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "cpmu/metric.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto formula = cpmu::Formula::parse(text);
  if (!formula) return 0;
  const auto& names = formula->names();
  for (const double interval : {1.0, 0.0, -2.5}) {
    (void)formula->evaluate(
        [&](std::string_view name) -> std::optional<double> {
          if (std::find(names.begin(), names.end(), name) == names.end()) std::abort();
          return name.size() % 3 == 0 ? std::nullopt : std::optional<double>(static_cast<double>(name.size()) - 2);
        },
        interval);
  }
  return 0;
}
