// perf's event-list syntax around event terms (event_term.hpp): groups
// `{a,b}` (counted together, all or nothing, as perf groups) and the
// `:modifiers` perf allows after an event or a group. The terms themselves
// are parse_event_terms()'s; this splits a list into the parts it parses.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

// One part of a list: `text` is the whole list with everything outside the
// part blanked to spaces (so positions in it are positions in the list).
struct PerfEventListPart {
  std::string text;
  std::optional<unsigned> group;  // the n-th {...} group, counting from 0
};

// Splits `text` at its groups. Errors name the 1-based position: an
// unbalanced or nested brace, an empty group, a group not separated by a
// comma, and every modifier - CPMU events are device events counted
// system-wide: there is no user/kernel/guest split to select (the kernel's
// cxl_pmu rejects every exclude bit) and cpmu does not pin or sample.
CPMU_API Result<std::vector<PerfEventListPart>> split_perf_event_list(std::string_view text);

}  // namespace cpmu
