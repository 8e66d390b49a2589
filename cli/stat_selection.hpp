// What `cpmu stat` counts where: its -e terms (with a CPMU named in a
// perf-style PMU/terms/ prefix) and the CPMUs each term is planned on, from
// -a, -s, -m and --cpmu. Pure over a discovered machine, so the plan can be
// shown without counting (--plan) and tested without running anything.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/backend_choice.hpp"
#include "cpmu/counting.hpp"
#include "cpmu/cpmu_name.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/event_term.hpp"
#include "cpmu/selector.hpp"
#include "cpmu/units.hpp"

namespace cpmu::cli {

struct StatTerm {
  EventTerm term;
  // The -e value it came from, shared by all its terms: a copy each would
  // make thousands of terms quadratic in time and memory.
  std::shared_ptr<const std::string> argument;
  std::size_t position = 0;    // 1-based, in `argument`
  std::string label;           // the event as shown: the term without its PMU/.../ wrapper
  std::optional<Unit> unit;    // the catalogue's unit for a named event; none for raw terms
  std::string pmu;             // the PMU part as written ("cxl_pmu_mem0.0", "0000:0d:00.0/0"), or empty
  std::optional<unsigned> group;  // the {...} group it is in (numbered over every -e value)

  CountRequest request() const;
};

// Parses every -e value. Besides the forms parse_event_terms() reads, the
// PMU part of PMU/terms/ may be a cpmu CPMU name, [DDDD:]BB:DD.F/N. Errors
// name the -e value, the term and its position.
Result<std::vector<StatTerm>> parse_stat_terms(const std::vector<std::string>& arguments,
                                               const EventCatalogue& catalogue);

struct CpmuFilters {
  bool all = false;                 // -a
  std::string slot;                 // -s, lspci syntax
  std::string memdev;               // -m: memX or X (a selector)
  std::vector<std::string> cpmus;   // --cpmu: selectors
  BackendChoice backend = BackendChoice::kAuto;  // --backend
  bool any() const { return all || !slot.empty() || !memdev.empty() || !cpmus.empty(); }
};

// One CPMU with the terms planned on it.
struct StatCandidate {
  CpmuRef cpmu;
  CpmuName name;
  bool explicit_choice = false;   // chosen by -s/-m/--cpmu or a term's PMU, not only by -a
  std::vector<std::size_t> terms; // indices into the term list, in order
  std::optional<CountPlan> plan;  // absent when the CPMU cannot count (see unusable)
  std::string backend;            // "direct" or "perf" (decide_backend()), empty when unusable
  std::string unusable;           // why this CPMU cannot count here: capabilities unknown, owned
};

// Every CPMU the filters and term prefixes choose, in machine order, each with
// the terms that apply to it and their plan; a term without a PMU prefix
// and no filter goes to every CPMU, as with -a (perf counts uncore events
// system-wide without -a). Fails (kInvalidArgument) when a term's prefix
// names no CPMU or a filter matches none.
Result<std::vector<StatCandidate>> plan_stat(const DiscoveredMachine& machine, const std::vector<StatTerm>& terms,
                                             const CpmuFilters& filters);

}  // namespace cpmu::cli
