// Scheduling count requests onto the counters of one CPMU, from its
// capabilities alone: no register access, so `cpmu stat --plan` can show the
// plan before anything is programmed. The rules (fixed first, then
// free-running, then configurable with the matching event capability's group
// index, multiplexing when configurable counters run out) are in
// docs/counting.md, "Scheduling".
#pragma once

#include <vector>

#include "cpmu/counting.hpp"
#include "cpmu/cpmu_capabilities.hpp"
#include "cpmu/export.hpp"

namespace cpmu {

// One PlannedCount per request, in request order. A request nothing can count
// is kNotSupported with the reason in words, naming the register or field
// that rules it out.
CPMU_API CountPlan plan_counts(const CpmuCapabilities& caps, const std::vector<CountRequest>& requests);

// At most this many events per device clock cycle for one selected event bit
// (threshold 0, no edge or invert). The facts give no bound; the Threshold
// field compares one cycle's events with an 8-bit value, so a device may count
// up to 255 of one event per cycle and no more is assumed. UNVERIFIED.
inline constexpr unsigned kMaxEventsPerCyclePerBit = 255;

// Whether a selection counts cycles (threshold, edge or invert: at most one
// per cycle) rather than events.
CPMU_API bool counts_cycles(const EventSelection& event);

// The fastest a counter programmed with `event` can advance, per device clock
// cycle: 1 in cycle mode and for clock_ticks, else kMaxEventsPerCyclePerBit
// per selected bit.
CPMU_API unsigned max_increments_per_cycle(const EventSelection& event);

}  // namespace cpmu
