// function_info_from_config(): a PciFunctionInfo from the standard header
// alone, for sources with no kernel view of the function (dump files, the
// simulator's registers).
#include "cpmu/platform.hpp"
#include "cpmu/regs/pci_config.hpp"

namespace cpmu {

namespace pci = regs::pci;

namespace {

BarInfo bar_from_register(unsigned index, std::uint32_t low, std::uint32_t high) {
  BarInfo bar;
  bar.index = index;
  bar.io = pci::bar::kIoSpace.get(low) != 0;
  bar.is_64bit = !bar.io && pci::bar::kMemType.get(low) == pci::bar::kMemType64;
  bar.prefetchable = !bar.io && pci::bar::kPrefetchable.get(low) != 0;
  const auto flags = bar.io ? pci::bar::kIoFlags : pci::bar::kMemFlags;
  bar.base = ((std::uint64_t{high} << 32) | low) & ~flags.mask();
  return bar;
}

}  // namespace

PciFunctionInfo function_info_from_config(const PciAddress& address, const ConfigSpace& config) {
  PciFunctionInfo info;
  info.address = address;
  info.vendor_id = config.read16(pci::kVendorId).value_or(0);
  info.device_id = config.read16(pci::kDeviceId).value_or(0);
  // The class code is bytes 0x09..0x0b: the dword at 0x08 without the revision.
  info.class_code = config.read32(pci::kRevision).value_or(0) >> 8;
  info.revision = config.read8(pci::kRevision).value_or(0);
  info.header_type =
      static_cast<std::uint8_t>(pci::header_type::kLayout.get(config.read8(pci::kHeaderType).value_or(0)));

  const unsigned count = info.header_type == pci::header_type::kEndpoint ? pci::kBarCountType0
                         : info.header_type == pci::header_type::kBridge ? pci::kBarCountType1
                                                                          : 0;
  for (unsigned i = 0; i < count; ++i) {
    const std::uint32_t low = config.read32(pci::bar_offset(i)).value_or(0);
    if (low == 0 || low == ~std::uint32_t{0}) continue;
    const bool is_64bit = pci::bar::kIoSpace.get(low) == 0 && pci::bar::kMemType.get(low) == pci::bar::kMemType64;
    if (!is_64bit) {
      info.bars.push_back(bar_from_register(i, low, 0));
      continue;
    }
    // A 64-bit BAR in the last slot has no upper half: libpci drops it, and so
    // does this, since its address cannot be known.
    if (i + 1 == count) break;
    info.bars.push_back(bar_from_register(i, low, config.read32(pci::bar_offset(i + 1)).value_or(0)));
    ++i;
  }
  return info;
}

}  // namespace cpmu
