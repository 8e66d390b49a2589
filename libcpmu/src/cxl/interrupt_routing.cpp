#include "cxl/interrupt_routing.hpp"

#include <fmt/format.h>

#include "cpmu/regs/pci_config.hpp"
#include "pci/ext_cap_walk.hpp"

namespace cpmu::detail {

namespace pci = regs::pci;

unsigned interrupt_vectors(const ConfigSpace& config) {
  unsigned msi = 0;
  for (const auto& cap : walk_capabilities(config).capabilities) {
    if (cap.id == pci::cap_id::kMsix) {
      if (auto control = config.read16(cap.offset + pci::msix::kControl)) {
        return static_cast<unsigned>(pci::msix::kTableSize.get(*control)) + 1;
      }
    } else if (cap.id == pci::cap_id::kMsi) {
      if (auto control = config.read16(cap.offset + pci::msi::kControl)) {
        msi = 1u << pci::msi::kMultipleMessageEnable.get(*control);
      }
    }
  }
  return msi;
}

std::string interrupt_routing_problem(const ConfigSpace& config, const CpmuCapabilities& caps, unsigned instance) {
  if (!caps.interrupt) return {};
  const unsigned vectors = interrupt_vectors(config);
  if (caps.interrupt_message < vectors) return {};
  if (vectors == 0) {
    return fmt::format("cpmu{}: overflow interrupts use message {}, but the function has no MSI or MSI-X "
                       "capability: they cannot arrive, so this CPMU is polled",
                       instance, caps.interrupt_message);
  }
  return fmt::format("cpmu{}: overflow interrupts use message {}, beyond the {} interrupt vectors of the "
                     "function: they cannot arrive, so this CPMU is polled",
                     instance, caps.interrupt_message, vectors);
}

}  // namespace cpmu::detail
