#include "cpmu/printable_text.hpp"

#include <fmt/format.h>

namespace cpmu {

std::string printable(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kPrintableLimit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (text.size() > kPrintableLimit) out += "...";
  return out;
}

}  // namespace cpmu
