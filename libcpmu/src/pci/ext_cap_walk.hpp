// Walks of the two capability lists in config space: the conventional list
// (from the pointer at 0x34) and the PCIe extended list (from 0x100). Both are
// bounded, alignment-checked and loop-safe; what is wrong is reported, and
// everything found before the fault is kept.
#pragma once

#include <vector>

#include "cpmu/config_space.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/result.hpp"

namespace cpmu::detail {

struct CapabilityWalk {
  std::vector<ExtendedCapability> capabilities;   // for the conventional list: version 0
  std::vector<Error> problems;
};

// The conventional list: IDs are 8 bits, pointers 0x40..0xfc.
CapabilityWalk walk_capabilities(const ConfigSpace& config);

// The extended list (facts §1.1): at most 480 headers, pointers >= 0x100.
CapabilityWalk walk_extended_capabilities(const ConfigSpace& config);

}  // namespace cpmu::detail
