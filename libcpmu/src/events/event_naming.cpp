#include "cpmu/event_naming.hpp"

namespace cpmu {

std::vector<std::string> event_names(const EventCatalogue* catalogue, std::uint16_t vid, std::uint16_t gid,
                                     std::uint32_t mask) {
  std::vector<std::string> names;
  if (!catalogue) return names;
  for (unsigned bit = 0; bit < 32; ++bit) {
    if ((mask >> bit & 1u) == 0) continue;
    EventCode code{vid, gid, 1u << bit};
    for (const auto& event : catalogue->events()) {
      if (event.kind == EventKind::kEvent && event.code == code) {
        names.push_back(event.name);
        break;
      }
    }
  }
  return names;
}

std::string group_title(const EventCatalogue* catalogue, std::uint16_t vid, std::uint16_t gid) {
  if (!catalogue) return {};
  const GroupInfo* group = catalogue->find_group(vid, gid);
  return group ? group->name : std::string();
}

std::vector<EventCode> unnamed_codes(const EventCatalogue& catalogue, const CpmuEventCapabilities& caps) {
  std::vector<EventCode> out;
  auto add = [&](const EventCode& code) {
    std::uint32_t unnamed = 0;
    for (unsigned bit = 0; bit < 32; ++bit) {
      const std::uint32_t one = 1u << bit;
      if ((code.mask & one) == 0) continue;
      const std::string name = catalogue.describe(EventCode{code.vid, code.gid, one});
      if (name.rfind("vid=", 0) == 0) unnamed |= one;
    }
    if (unnamed == 0) return;
    for (EventCode& seen : out) {
      if (seen.vid == code.vid && seen.gid == code.gid) {
        seen.mask |= unnamed;
        return;
      }
    }
    out.push_back(EventCode{code.vid, code.gid, unnamed});
  };
  for (const EventCode& code : caps.configurable) add(code);
  for (const EventCode& code : caps.fixed) add(code);
  return out;
}

}  // namespace cpmu
