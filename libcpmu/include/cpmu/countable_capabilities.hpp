// What one CPMU can count, in the event catalogue's terms, by the same rules
// the counter scheduler places requests with (docs/counting.md,
// "Scheduling"): `cpmu events` and `cpmu stat --plan` never disagree.
#pragma once

#include "cpmu/cpmu_capabilities.hpp"
#include "cpmu/events.hpp"
#include "cpmu/export.hpp"

namespace cpmu {

// Configurable counters may use every Event Capabilities register (the
// scheduler programs the matching register's group index, even one a fixed
// counter is wired to); fixed-function and free-running counters count
// exactly their hard-wired (VID, GID, mask).
CPMU_API CpmuEventCapabilities countable_capabilities(const CpmuCapabilities& caps);

}  // namespace cpmu
