// What discovery could not read, where a command would otherwise pass over
// it silently: `cpmu stat -a` counts on every CPMU discovery found, and a
// function with problems (a Register Locator entry past its BAR, a broken
// capability list) may have CPMUs it did not find. `cpmu list` shows the
// same problems on the function.
#pragma once

#include <cstdio>
#include <optional>
#include <string_view>

#include "cpmu/discovered_machine.hpp"
#include "cpmu/slot_filter.hpp"

namespace cpmu::cli {

// Prints "COMMAND: note: BDF: PROBLEM (its CPMUs may be missing)" for each
// problem of every function `slot` admits (all without one), and the
// machine's own problems; true when there was any.
bool note_discovery_problems(std::FILE* out, std::string_view command, const DiscoveredMachine& machine,
                             const std::optional<SlotFilter>& slot);

}  // namespace cpmu::cli
