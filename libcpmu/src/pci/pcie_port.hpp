// The PCI Express capability: what kind of component a function is, and its
// link.
#pragma once

#include <optional>

#include "cpmu/config_space.hpp"
#include "cpmu/discovery.hpp"

namespace cpmu::detail {

struct PciePort {
  unsigned port_type = 0;
  ComponentKind kind = ComponentKind::kOther;
  std::optional<LinkInfo> link;   // absent for functions without a link (RCiEP, event collector)
};

// Decodes the PCIe capability at `offset`; nullopt if it cannot be read.
std::optional<PciePort> decode_pcie_port(const ConfigSpace& config, unsigned offset);

}  // namespace cpmu::detail
