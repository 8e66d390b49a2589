#include "discovery_notes.hpp"

#include <fmt/format.h>

namespace cpmu::cli {

bool note_discovery_problems(std::FILE* out, std::string_view command, const DiscoveredMachine& machine,
                             const std::optional<SlotFilter>& slot) {
  bool any = false;
  for (const Error& problem : machine.problems) {
    fmt::print(out, "{}: note: {} (CPMUs may be missing)\n", command, problem.message());
    any = true;
  }
  for (const DiscoveredFunction& fn : machine.functions) {
    if (slot && !slot->matches(fn.info.address)) continue;
    for (const Error& problem : fn.problems) {
      fmt::print(out, "{}: note: {}: {} (its CPMUs may be missing)\n", command, fn.info.address.to_string(),
                 problem.message());
      any = true;
    }
  }
  return any;
}

}  // namespace cpmu::cli
