// ConfigSpaceBuilder: standard header, BARs, capability lists.
#include "cxlsim/config_space_builder.hpp"

#include <bit>

#include <fmt/format.h>

#include "cpmu/regs/cxl_dvsec.hpp"

namespace cpmu::sim {

namespace pci = regs::pci;

void ConfigSpaceBuilder::header(const HeaderIdentity& id) {
  space_.store(pci::kVendorId, 2, id.vendor_id);
  space_.store(pci::kDeviceId, 2, id.device_id);
  space_.store(pci::kRevision, 1, id.revision);
  space_.store(pci::kProgIf, 3, id.class_code);
  space_.store(pci::kHeaderType, 1, id.layout);
  space_.set_writable(pci::kCommand, 2,
                      static_cast<std::uint32_t>(pci::command::kMemorySpace.mask() | pci::command::kBusMaster.mask() |
                                                 pci::command::kSerrEnable.mask() |
                                                 pci::command::kInterruptDisable.mask()));
  space_.set_write_one_to_clear(pci::kStatus, 2, static_cast<std::uint32_t>(pci::status::kErrorBits.mask()));
  space_.set_writable(pci::kInterruptLine, 1, 0xff);
  if (id.layout == pci::header_type::kEndpoint) {
    space_.store(pci::kSubsystemVendorId, 2, id.vendor_id);
    space_.store(pci::kSubsystemId, 2, id.device_id);
    return;
  }
  space_.set_write_one_to_clear(pci::kSecondaryStatus, 2, static_cast<std::uint32_t>(pci::status::kErrorBits.mask()));
  // No I/O window and no prefetchable window: base above limit closes them.
  space_.store(pci::kIoBase, 1, static_cast<std::uint32_t>(pci::kIoWindowAddress.mask()));
  space_.store(pci::kPrefetchBase, 2, static_cast<std::uint32_t>(pci::kWindowAddress.mask()));
  bridge_memory_window(std::nullopt, 0);
  space_.set_writable(pci::kMemoryBase, 2, static_cast<std::uint32_t>(pci::kWindowAddress.mask()));
  space_.set_writable(pci::kMemoryLimit, 2, static_cast<std::uint32_t>(pci::kWindowAddress.mask()));
}

void ConfigSpaceBuilder::bridge_buses(const BridgeBuses& buses) {
  space_.store(pci::kPrimaryBus, 1, buses.primary);
  space_.store(pci::kSecondaryBus, 1, buses.secondary);
  space_.store(pci::kSubordinateBus, 1, buses.subordinate);
  space_.set_writable(pci::kPrimaryBus, 3, 0xffffff);
}

void ConfigSpaceBuilder::bridge_memory_window(std::optional<std::uint64_t> base, std::uint64_t limit) {
  if (!base) {
    space_.store(pci::kMemoryBase, 2, static_cast<std::uint32_t>(pci::kWindowAddress.mask()));
    space_.store(pci::kMemoryLimit, 2, 0);
    return;
  }
  space_.store(pci::kMemoryBase, 2, static_cast<std::uint32_t>(pci::kWindowAddress.make(*base >> pci::kWindowShift)));
  space_.store(pci::kMemoryLimit, 2, static_cast<std::uint32_t>(pci::kWindowAddress.make(limit >> pci::kWindowShift)));
}

Status ConfigSpaceBuilder::memory_bar64(unsigned index, std::uint64_t base, std::uint64_t size) {
  const unsigned slots = space_.load(pci::kHeaderType, 1) == pci::header_type::kBridge ? pci::kBarCountType1
                                                                                        : pci::kBarCountType0;
  if (index + 1 >= slots || !std::has_single_bit(size) || size < 16 || base % size != 0) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("64-bit BAR {} (base {:#x}, size {:#x}): needs two free slots, a power-of-two "
                             "size >= 16 and a size-aligned base",
                             index, base, size));
  }
  const unsigned low = pci::bar_offset(index);
  const auto flags = static_cast<std::uint32_t>(pci::bar::kMemType.make(pci::bar::kMemType64));
  space_.store(low, 4, (static_cast<std::uint32_t>(base) & pci::bar::kMemAddressMask) | flags);
  space_.store(low + 4, 4, static_cast<std::uint32_t>(base >> 32));
  // Address bits below the size read back as zero whatever is written: that
  // is what makes the all-ones sizing probe work.
  const std::uint64_t writable = ~(size - 1);
  space_.set_writable(low, 4, static_cast<std::uint32_t>(writable) & pci::bar::kMemAddressMask);
  space_.set_writable(low + 4, 4, static_cast<std::uint32_t>(writable >> 32));
  return {};
}

Result<unsigned> ConfigSpaceBuilder::add_capability(unsigned id, unsigned length) {
  const unsigned at = next_cap_;
  if (length < 4 || length % 4 != 0 || at + length > pci::kLegacyConfigSize) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("capability {:#04x} of {} bytes does not fit at {:#x}", id, length, at));
  }
  space_.store(at, 1, id);
  space_.store(at + 1, 1, 0);
  if (last_cap_) {
    space_.store(*last_cap_ + 1, 1, at);
  } else {
    space_.store(pci::kCapPointer, 1, at);
    space_.store(pci::kStatus, 2, space_.load(pci::kStatus, 2) | static_cast<std::uint32_t>(pci::status::kCapList.mask()));
  }
  last_cap_ = at;
  next_cap_ = at + length;
  return at;
}

Result<unsigned> ConfigSpaceBuilder::add_extended_capability(unsigned id, unsigned version, unsigned length) {
  const unsigned at = next_ext_;
  if (length < 4 || length % 4 != 0 || at + length > pci::kConfigSize) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("extended capability {:#06x} of {} bytes does not fit at {:#x}", id, length, at));
  }
  space_.store(at, 4,
               static_cast<std::uint32_t>(pci::ext_cap::kId.make(id) | pci::ext_cap::kVersion.make(version)));
  if (last_ext_) {
    const std::uint32_t previous = space_.load(*last_ext_, 4);
    space_.store(*last_ext_, 4, static_cast<std::uint32_t>(pci::ext_cap::kNext.set(previous, at)));
  } else {
    first_ext_ = at;
  }
  last_ext_ = at;
  next_ext_ = at + length;
  return at;
}

Result<unsigned> ConfigSpaceBuilder::add_dvsec(std::uint16_t vendor, unsigned dvsec_id, unsigned revision,
                                               unsigned length) {
  namespace dvsec = regs::dvsec;
  Result<unsigned> at = add_extended_capability(pci::ext_cap_id::kDvsec, 1, length);
  if (!at) return at;
  space_.store(*at + dvsec::kHeader1, 4,
               static_cast<std::uint32_t>(dvsec::header1::kVendorId.make(vendor) |
                                          dvsec::header1::kRevision.make(revision) |
                                          dvsec::header1::kLength.make(length)));
  space_.store(*at + dvsec::kHeader2, 2, static_cast<std::uint32_t>(dvsec::header2::kId.make(dvsec_id)));
  return at;
}

}  // namespace cpmu::sim
