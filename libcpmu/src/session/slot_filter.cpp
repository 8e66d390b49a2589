#include "cpmu/slot_filter.hpp"
#include "cpmu/printable_text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace cpmu {

namespace {

// An empty or "*" part matches anything.
bool parse_part(std::string_view text, unsigned max, std::optional<unsigned>& out) {
  if (text.empty() || text == "*") return true;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return false;
  out = value;
  return true;
}

}  // namespace

Result<SlotFilter> SlotFilter::parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("-s '{}': {} (expected [[[[domain]:]bus]:][slot][.[func]])", printable(text), why));
  };
  SlotFilter filter;
  std::string_view rest = text;
  if (auto dot = rest.find('.'); dot != std::string_view::npos) {
    if (!parse_part(rest.substr(dot + 1), 7, filter.function_)) return bad("bad function number");
    rest = rest.substr(0, dot);
  }
  std::vector<std::string_view> parts;
  for (;;) {
    auto colon = rest.find(':');
    parts.push_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (parts.size() > 3) return bad("too many ':'");
  // The last part is the slot, the one before it the bus, then the domain.
  std::optional<unsigned>* targets[] = {&filter.device_, &filter.bus_, &filter.domain_};
  const unsigned limits[] = {0x1f, 0xff, 0xffff};
  const char* names[] = {"bad slot number", "bad bus number", "bad domain number"};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::size_t k = parts.size() - 1 - i;
    if (!parse_part(parts[k], limits[i], *targets[i])) return bad(names[i]);
  }
  return filter;
}

bool SlotFilter::matches(const PciAddress& a) const {
  return (!domain_ || *domain_ == a.domain) && (!bus_ || *bus_ == a.bus) && (!device_ || *device_ == a.device) &&
         (!function_ || *function_ == a.function);
}

}  // namespace cpmu
