// Fuzzes the option-value rules of cli/option_values.hpp and the message
// escaping they echo values through (cpmu/printable_text.hpp). The first
// byte picks the rule, the rest is the value as typed. Invariants: an
// accepted value is inside its rule's range (a separator holds no quote or
// control character); a refusal has a message with no control byte or
// non-ASCII byte and a bounded length, whatever the value's size.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cpmu/printable_text.hpp"
#include "option_values.hpp"

namespace {

void check_message(const cpmu::Error& error) {
  const std::string& m = error.message();
  // The value is cut at kPrintableLimit bytes, each shown in at most 4.
  if (m.empty() || m.size() > 4 * cpmu::kPrintableLimit + 300) std::abort();
  for (char c : m) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      const auto n = cpmu::cli::parse_whole_number("-I", text, 10, 86'400'000, "milliseconds");
      if (n && (*n < 10 || *n > 86'400'000)) std::abort();
      if (!n) check_message(n.error());
      break;
    }
    case 1: {
      const auto s = cpmu::cli::parse_seconds("--duration", text, 315'360'000.0);
      if (s && !(std::isfinite(*s) && *s > 0 && *s <= 315'360'000.0)) std::abort();
      if (!s) check_message(s.error());
      break;
    }
    case 2: {
      const cpmu::Status ok = cpmu::cli::check_separator("-x", text);
      if (ok) {
        for (char c : text) {
          const auto u = static_cast<unsigned char>(c);
          if (c == '"' || u == 0x7f || (u < 0x20 && c != '\t')) std::abort();
        }
        if (text.empty()) std::abort();
      } else {
        check_message(ok.error());
      }
      break;
    }
    default: {
      const std::string shown = cpmu::printable(text);
      if (shown.size() > 4 * cpmu::kPrintableLimit + 3) std::abort();
      for (char c : cpmu::printable_message(text)) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) std::abort();
      }
    }
  }
  return 0;
}
