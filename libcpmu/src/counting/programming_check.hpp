// Whether a counter took what was programmed. A CPMU may ignore fields (a
// counter that cannot be configured after all, filters that do not stick):
// counting on as if it had taken them gives counts of something else, so
// the configuration and filters are read back after programming.
#pragma once

#include <string>

#include "counting/cpmu_device.hpp"

namespace cpmu {

// What of `program` counter `counter` did not accept, in words ("counter 1
// did not accept event selection 0x2 of group index 1 (reads back 0x0 of
// index 0), edge 1 (reads back 0)"); empty when it took everything. Reads
// the configuration and the filters the CPMU has.
std::string programming_mismatch(CpmuDevice& device, unsigned counter, const CounterProgram& program);

// What someone else set on free-running counter `counter` (threshold, edge,
// invert, a filter), which is never written by us, in words ("free-running
// counter 4 has edge set by someone else, so it does not count exactly this
// event"); empty when nothing is.
std::string free_running_changes(CpmuDevice& device, unsigned counter);

}  // namespace cpmu
