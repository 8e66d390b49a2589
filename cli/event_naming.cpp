#include "event_naming.hpp"

namespace cpmu::cli {

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

}  // namespace cpmu::cli
