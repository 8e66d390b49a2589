#include "cpmu/pci_address.hpp"
#include "cpmu/printable_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace cpmu {

std::string PciAddress::to_string() const {
  return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", domain, bus, device, function);
}

namespace {

bool parse_hex(std::string_view text, unsigned max, unsigned& out) {
  if (text.empty() || text.size() > 4) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
  return ec == std::errc() && end == text.data() + text.size() && out <= max;
}

}  // namespace

Result<PciAddress> PciAddress::parse(std::string_view text) {
  auto bad = [&] {
    return Error(Errc::kInvalidArgument,
                 fmt::format("'{}' is not a PCI address (expected [DDDD:]BB:DD.F)", printable(text)));
  };
  std::string_view rest = text;
  unsigned domain = 0;
  if (std::count(rest.begin(), rest.end(), ':') == 2) {
    auto colon = rest.find(':');
    if (!parse_hex(rest.substr(0, colon), 0xffff, domain)) return bad();
    rest.remove_prefix(colon + 1);
  }
  auto colon = rest.find(':');
  auto dot = rest.find('.');
  if (colon == std::string_view::npos || dot == std::string_view::npos || dot < colon) return bad();
  unsigned bus = 0, device = 0, function = 0;
  if (!parse_hex(rest.substr(0, colon), 0xff, bus) ||
      !parse_hex(rest.substr(colon + 1, dot - colon - 1), 31, device) ||
      !parse_hex(rest.substr(dot + 1), 7, function)) {
    return bad();
  }
  return PciAddress{static_cast<std::uint16_t>(domain), static_cast<std::uint8_t>(bus),
                    static_cast<std::uint8_t>(device), static_cast<std::uint8_t>(function)};
}

}  // namespace cpmu
