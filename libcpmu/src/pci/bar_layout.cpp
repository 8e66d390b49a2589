#include "pci/bar_layout.hpp"

#include <algorithm>

#include "cpmu/regs/pci_config.hpp"

namespace cpmu::detail {

namespace pci = regs::pci;

BarLayout bar_layout(const ConfigSpace& config, const PciFunctionInfo& info) {
  BarLayout layout;
  auto header = config.read8(pci::kHeaderType);
  if (!header) return layout;
  auto type = pci::header_type::kLayout.get(*header);
  layout.count = type == pci::header_type::kEndpoint ? pci::kBarCountType0
                 : type == pci::header_type::kBridge ? pci::kBarCountType1
                                                     : 0;
  auto listed = [&](unsigned i) -> const BarInfo* {
    auto it = std::find_if(info.bars.begin(), info.bars.end(),
                           [i](const BarInfo& bar) { return bar.index == i; });
    return it == info.bars.end() ? nullptr : &*it;
  };
  for (unsigned i = 0; i < layout.count; ++i) {
    if (layout.slots[i] == BarSlot::kUpperHalf) continue;
    std::uint32_t reg = config.read32(pci::bar_offset(i)).value_or(0);
    const BarInfo* known = listed(i);
    bool io = pci::bar::kIoSpace.get(reg) != 0 || (known && known->io);
    bool is64 = !io && pci::bar::kMemType.get(reg) == pci::bar::kMemType64;
    std::uint32_t upper = is64 && i + 1 < layout.count ? config.read32(pci::bar_offset(i + 1)).value_or(0) : 0;
    std::uint32_t address_bits = io ? (reg & ~3u) : (reg & pci::bar::kMemAddressMask);
    bool implemented = known != nullptr || address_bits != 0 || upper != 0;
    if (is64 && i + 1 < layout.count) layout.slots[i + 1] = BarSlot::kUpperHalf;
    if (!implemented) continue;
    layout.slots[i] = io ? BarSlot::kIo : BarSlot::kMemory;
    if (known && known->size != 0) layout.sizes[i] = known->size;
  }
  return layout;
}

}  // namespace cpmu::detail
