#include "cpmu/perf_event_strings.hpp"

#include <fmt/format.h>

#include "cpmu/countable_capabilities.hpp"

namespace cpmu {

namespace {

// The alias whose terms encode to `config`, if the kernel has one.
const PerfEventAlias* alias_for(const PerfPmu& pmu, const PerfConfig& config) {
  for (const PerfEventAlias& alias : pmu.events) {
    auto encoded = pmu.encode(alias.terms, alias.name);
    if (encoded && *encoded == config) return &alias;
  }
  return nullptr;
}

}  // namespace

std::vector<PerfEventString> perf_event_strings(const PerfPmu& pmu, const EventCatalogue& catalogue,
                                                const std::optional<CpmuCapabilities>& capabilities) {
  std::vector<const EventInfo*> events;
  if (capabilities) {
    for (const auto& countable : catalogue.countable(countable_capabilities(*capabilities)).events) {
      events.push_back(countable.event);
    }
  } else {
    for (const EventInfo& event : catalogue.events()) events.push_back(&event);
  }
  std::vector<PerfEventString> out;
  for (const EventInfo* event : events) {
    std::vector<PerfTerm> terms;
    for (auto [name, value] : {std::pair<const char*, std::uint64_t>{"vid", event->code.vid},
                               {"gid", event->code.gid},
                               {"mask", event->code.mask}}) {
      PerfTerm t;
      t.name = name;
      t.value = value;
      terms.push_back(std::move(t));
    }
    auto config = pmu.encode(terms, pmu.name);
    if (!config) continue;  // not a cxl_pmu format: nothing to write
    PerfEventString s;
    s.event = event->name;
    s.code = event->code;
    if (const PerfEventAlias* alias = alias_for(pmu, *config)) {
      s.perf = fmt::format("{}/{}/", pmu.name, alias->name);
      s.alias = true;
    } else if (!capabilities) {
      continue;  // without capabilities only the kernel's own list says it counts
    } else {
      s.perf = fmt::format("{}/vid={:#x},gid={:#x},mask={:#x}/", pmu.name, event->code.vid, event->code.gid,
                           event->code.mask);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace cpmu
