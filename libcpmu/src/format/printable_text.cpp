#include "cpmu/printable_text.hpp"

#include <fmt/format.h>

namespace cpmu {

namespace {

std::string escaped(std::string_view text, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (text.size() > limit) out += "...";
  return out;
}

}  // namespace

std::string printable(std::string_view text) { return escaped(text, kPrintableLimit); }

std::string printable_message(std::string_view text) { return escaped(text, text.size()); }

}  // namespace cpmu
