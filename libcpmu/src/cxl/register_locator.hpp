// The Register Locator DVSEC (facts §1.4): its entries as register blocks,
// checked against the function's BARs.
#pragma once

#include <vector>

#include "cpmu/config_space.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/result.hpp"
#include "pci/bar_layout.hpp"

namespace cpmu::detail {

// Appends the usable entries of the locator `dvsec` (whose body must lie inside
// config space) to `blocks`. Empty entries are skipped silently; an entry
// naming no implemented memory BAR, or an offset at or past a BAR of known
// size, is reported and skipped.
void decode_register_locator(const ConfigSpace& config, const Dvsec& dvsec, const BarLayout& bars,
                             std::vector<RegisterBlock>& blocks, std::vector<Error>& problems);

}  // namespace cpmu::detail
