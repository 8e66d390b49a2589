// What a simulated machine's CPMUs were left with when it went away, for
// tests of a program that owns the machine in its own process (cpmu stat
// ended by a signal): with $CXLSIM_RESIDUE_FILE set, the machine appends one
// line per CPMU to that file as it is destroyed:
//   0000:0f:00.0/0 enabled=0x0 frozen=0x0 overflow=0x0
// (masks of counters: Counter Enable set, Freeze, Overflow Status).
#pragma once

#include <memory>
#include <vector>

#include "machine_state.hpp"

namespace cpmu::sim {

void append_residue_record(const std::vector<std::unique_ptr<SimFunction>>& functions);

}  // namespace cpmu::sim
