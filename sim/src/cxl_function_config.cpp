// build_function_config: what each kind of CXL function carries, in the order
// QEMU 7.2 lays it out (../shared/qemu-cxl/README.md), so that offsets look
// familiar next to the QEMU dumps.
#include "cxlsim/cxl_function_config.hpp"

#include <fmt/format.h>

#include "cpmu/regs/cxl_dvsec.hpp"
#include "cpmu/regs/doe.hpp"

namespace cpmu::sim {
namespace {

namespace pci = regs::pci;
namespace pcie = regs::pci::pcie;
namespace dvsec = regs::dvsec;

constexpr std::uint32_t u32(std::uint64_t v) { return static_cast<std::uint32_t>(v); }

bool is_bridge(FunctionKind kind) { return kind != FunctionKind::kEndpoint; }
// Ports whose link partner is below them (they report Data Link Layer Active).
bool faces_downstream(FunctionKind kind) {
  return kind == FunctionKind::kRootPort || kind == FunctionKind::kDownstreamPort;
}

unsigned port_type(FunctionKind kind) {
  switch (kind) {
    case FunctionKind::kRootPort: return pcie::kTypeRootPort;
    case FunctionKind::kUpstreamPort: return pcie::kTypeUpstreamPort;
    case FunctionKind::kDownstreamPort: return pcie::kTypeDownstreamPort;
    case FunctionKind::kEndpoint: return pcie::kTypeEndpoint;
  }
  return pcie::kTypeEndpoint;
}

Status add_pcie_capability(ConfigSpaceBuilder& b, const FunctionLayout& f) {
  Result<unsigned> at = b.add_capability(pci::cap_id::kPcie, pcie::kSize);
  if (!at) return at.error();
  ConfigSpaceModel& s = b.space();
  const LinkLayout& link = f.link;
  s.store(*at + pcie::kCapabilities, 2, u32(pcie::kCapVersion.make(2) | pcie::kPortType.make(port_type(f.kind))));
  s.store(*at + pcie::kDeviceCap, 4, u32(pcie::kRoleBasedErrorReporting.mask()));
  s.set_writable(*at + pcie::kDeviceControl, 2, 0xffff & ~u32(pcie::kInitiateFlr.mask()));
  s.set_write_one_to_clear(*at + pcie::kDeviceStatus, 2, u32(pcie::kDeviceStatusErrors.mask()));
  std::uint64_t link_cap = pcie::kLinkMaxSpeed.make(link.speed_code) | pcie::kLinkMaxWidth.make(link.width) |
                           pcie::kLinkPortNumber.make(link.port_number);
  if (faces_downstream(f.kind)) link_cap |= pcie::kLinkActiveReporting.mask();
  s.store(*at + pcie::kLinkCap, 4, u32(link_cap));
  s.set_writable(*at + pcie::kLinkControl, 2,
                 u32(pcie::kAspmControl.mask() | pcie::kCommonClock.mask() | pcie::kExtendedSynch.mask()));
  std::uint64_t link_status = pcie::kLinkSpeed.make(link.speed_code);
  if (link.up) {
    link_status |= pcie::kLinkWidth.make(link.width);
    if (faces_downstream(f.kind)) link_status |= pcie::kLinkActive.mask();
  }
  s.store(*at + pcie::kLinkStatus, 2, u32(link_status));
  s.store(*at + pcie::kLinkCap2, 4, u32(pcie::kSupportedSpeeds.make((1u << link.speed_code) - 1)));
  s.store(*at + pcie::kLinkControl2, 2, u32(pcie::kTargetSpeed.make(link.speed_code)));
  s.set_writable(*at + pcie::kLinkControl2, 2, u32(pcie::kTargetSpeed.mask()));
  return {};
}

Status add_msix_capability(ConfigSpaceBuilder& b, const MsixLayout& m) {
  namespace msix = pci::msix;
  Result<unsigned> at = b.add_capability(pci::cap_id::kMsix, msix::kSize);
  if (!at) return at.error();
  ConfigSpaceModel& s = b.space();
  s.store(*at + msix::kControl, 2, u32(msix::kTableSize.make(m.vectors - 1)));
  s.set_writable(*at + msix::kControl, 2, u32(msix::kEnable.mask() | msix::kFunctionMask.mask()));
  s.store(*at + msix::kTable, 4, (m.table_offset & msix::kOffsetMask) | u32(msix::kBir.make(m.bar)));
  s.store(*at + msix::kPba, 4, (m.pba_offset & msix::kOffsetMask) | u32(msix::kBir.make(m.bar)));
  return {};
}

Status add_power_management(ConfigSpaceBuilder& b) {
  namespace pm = pci::pm;
  Result<unsigned> at = b.add_capability(pci::cap_id::kPowerManagement, pm::kSize);
  if (!at) return at.error();
  b.space().store(*at + pm::kCapabilities, 2, u32(pm::kVersion.make(pm::kVersion12)));
  b.space().set_writable(*at + pm::kControlStatus, 2, u32(pm::kPowerState.mask()));
  return {};
}

Status add_serial_number(ConfigSpaceBuilder& b, std::uint64_t serial) {
  Result<unsigned> at = b.add_extended_capability(pci::ext_cap_id::kDsn, 1, pci::dsn::kSize);
  if (!at) return at.error();
  b.space().store(*at + pci::dsn::kSerialLow, 4, u32(serial));
  b.space().store(*at + pci::dsn::kSerialHigh, 4, u32(serial >> 32));
  return {};
}

Status add_cxl_device_dvsec(ConfigSpaceBuilder& b, const std::vector<std::uint64_t>& ranges) {
  namespace dev = dvsec::cxl_device;
  Result<unsigned> at = b.add_dvsec(dvsec::kCxlVendorId, dvsec::id::kCxlDevice, dev::kRevision, dev::kLength);
  if (!at) return at.error();
  ConfigSpaceModel& s = b.space();
  s.store(*at + dev::kCapability, 2,
          u32(dev::kIoCapable.mask() | dev::kMemCapable.mask() | dev::kMemHwInit.mask() |
              dev::kHdmCount.make(ranges.size())));
  s.store(*at + dev::kControl, 2, u32(dev::kIoEnable.mask()));
  s.set_writable(*at + dev::kControl, 2, u32(dev::kMemEnable.mask()));
  s.store(*at + dev::kStatus2, 2, u32(dev::kResetComplete.mask()));
  // Media Type and Memory Class "described by CDAT" are QEMU's choice; the
  // encoding is taken from its dumps and lspci, not from the spec (UNVERIFIED).
  for (unsigned i = 0; i < ranges.size() && i < dev::kMaxRanges; ++i) {
    const std::uint64_t size = ranges[i];
    s.store(*at + dev::range_size_high(i), 4, u32(size >> 32));
    s.store(*at + dev::range_size_low(i), 4,
            u32((size & dev::kRangeLowBits.mask()) | dev::kMemInfoValid.mask() | dev::kMemActive.mask() |
                dev::kMediaType.make(dev::kDescribedByCdat) | dev::kMemoryClass.make(dev::kDescribedByCdat)));
    s.set_writable(*at + dev::range_base_high(i), 4, 0xffffffff);
    s.set_writable(*at + dev::range_base_low(i), 4, u32(dev::kRangeLowBits.mask()));
  }
  return {};
}

Status add_register_locator(ConfigSpaceBuilder& b, const FunctionLayout& f) {
  namespace loc = dvsec::locator;
  const auto length = static_cast<unsigned>(loc::kFirstEntry + loc::kEntrySize * f.register_blocks.size());
  Result<unsigned> at = b.add_dvsec(dvsec::kCxlVendorId, dvsec::id::kRegisterLocator, loc::kRevision, length);
  if (!at) return at.error();
  ConfigSpaceModel& s = b.space();
  for (unsigned i = 0; i < f.register_blocks.size(); ++i) {
    const RegisterBlockEntry& e = f.register_blocks[i];
    s.store(*at + loc::entry_low(i), 4,
            u32(loc::kBir.make(e.bar) | loc::kBlockId.make(e.block_id)) | (u32(e.offset) & loc::kOffsetLowMask));
    s.store(*at + loc::entry_high(i), 4, u32(e.offset >> 32));
  }
  if (f.dvsec_length_past_config_space) {
    const std::uint32_t h1 = s.load(*at + dvsec::kHeader1, 4);
    s.store(*at + dvsec::kHeader1, 4, u32(dvsec::header1::kLength.set(h1, dvsec::header1::kLength.max())));
  }
  return {};
}

Status add_device_gpf(ConfigSpaceBuilder& b) {
  namespace gpf = dvsec::device_gpf;
  Result<unsigned> at = b.add_dvsec(dvsec::kCxlVendorId, dvsec::id::kDeviceGpf, gpf::kRevision, gpf::kLength);
  if (!at) return at.error();
  // QEMU's values: phase 2 takes 3 s (base 3, scale 6) at 51 mW.
  constexpr unsigned kBase = 3, kScale = 6, kPowerMw = 51;
  b.space().store(*at + gpf::kPhase2Duration, 2, u32(gpf::kDurationBase.make(kBase) | gpf::kDurationScale.make(kScale)));
  b.space().store(*at + gpf::kPhase2Power, 4, kPowerMw);
  return {};
}

Status add_port_extensions(ConfigSpaceBuilder& b) {
  namespace ext = dvsec::port_extensions;
  Result<unsigned> at = b.add_dvsec(dvsec::kCxlVendorId, dvsec::id::kPortExtensions, ext::kRevision, ext::kLength);
  if (!at) return at.error();
  // Port control bits 3:0 as QEMU's ports have them; this DVSEC's layout
  // beyond the headers comes from QEMU and lspci, not the spec (UNVERIFIED).
  b.space().set_writable(*at + ext::kPortControl, 2, u32(ext::kControlBits.mask()));
  return {};
}

Status add_port_gpf(ConfigSpaceBuilder& b) {
  namespace gpf = dvsec::port_gpf;
  Result<unsigned> at = b.add_dvsec(dvsec::kCxlVendorId, dvsec::id::kPortGpf, gpf::kRevision, gpf::kLength);
  if (!at) return at.error();
  const auto one_us = u32(gpf::kTimeoutBase.make(1));   // QEMU's reset value
  const auto writable = u32(gpf::kTimeoutBase.mask() | gpf::kTimeoutScale.mask());
  for (unsigned reg : {gpf::kPhase1Control, gpf::kPhase2Control}) {
    b.space().store(*at + reg, 2, one_us);
    b.space().set_writable(*at + reg, 2, writable);
  }
  return {};
}

Status add_flex_bus(ConfigSpaceBuilder& b, bool link_up) {
  namespace fb = dvsec::flex_bus;
  Result<unsigned> at = b.add_dvsec(dvsec::kCxlVendorId, dvsec::id::kFlexBusPort, fb::kRevision, fb::kLength);
  if (!at) return at.error();
  // CXL 2.0 layout as QEMU's ports show it (UNVERIFIED against the spec).
  const auto modes = u32(fb::kIo.mask() | fb::kMem.mask() | fb::kFlit68B.mask());
  b.space().store(*at + fb::kCapability, 2, modes);
  b.space().store(*at + fb::kControl, 2, u32(fb::kIo.mask()));
  b.space().set_writable(*at + fb::kControl, 2, u32(fb::kMem.mask() | fb::kFlit68B.mask()));
  b.space().store(*at + fb::kStatus, 2, link_up ? modes : 0);
  return {};
}

// The extended capabilities of each kind, in chain order (facts §1.3; the
// order follows QEMU's devices).
enum class Part { kSerial, kCxlDevice, kPortExtensions, kPortGpf, kFlexBus, kLocator, kDeviceGpf, kDoe };

std::vector<Part> parts_of(FunctionKind kind) {
  switch (kind) {
    case FunctionKind::kEndpoint:
      return {Part::kSerial, Part::kCxlDevice, Part::kLocator, Part::kDeviceGpf, Part::kDoe};
    case FunctionKind::kUpstreamPort:
      return {Part::kPortExtensions, Part::kFlexBus, Part::kLocator, Part::kDoe};
    case FunctionKind::kRootPort:
    case FunctionKind::kDownstreamPort:
      return {Part::kPortExtensions, Part::kPortGpf, Part::kFlexBus, Part::kLocator};
  }
  return {};
}

Status add_part(ConfigSpaceBuilder& b, const FunctionLayout& f, Part part, FunctionConfig& out) {
  switch (part) {
    case Part::kSerial: return f.serial ? add_serial_number(b, *f.serial) : Status{};
    case Part::kCxlDevice: return add_cxl_device_dvsec(b, f.memory_ranges);
    case Part::kPortExtensions: return add_port_extensions(b);
    case Part::kPortGpf: return add_port_gpf(b);
    case Part::kFlexBus: return add_flex_bus(b, f.link.up);
    case Part::kDeviceGpf: return add_device_gpf(b);
    case Part::kLocator: return add_register_locator(b, f);
    case Part::kDoe: {
      if (!f.doe) return {};
      Result<unsigned> at = b.add_extended_capability(pci::ext_cap_id::kDoe, 1, regs::doe::kCapSize);
      if (!at) return at.error();
      out.doe_offset = *at;
      return {};
    }
  }
  return {};
}

}  // namespace

Result<FunctionConfig> build_function_config(const FunctionLayout& f) {
  if (f.link.speed_code < 1 || f.link.speed_code > pcie::kMaxSpeedCode || f.msix.vectors == 0 ||
      f.memory_ranges.size() > dvsec::cxl_device::kMaxRanges) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("{} layout: link speed code {} (1..{}), {} MSI-X vectors (>= 1) or {} memory ranges "
                             "(<= {}) out of range",
                             function_kind_name(f.kind), f.link.speed_code, pcie::kMaxSpeedCode, f.msix.vectors,
                             f.memory_ranges.size(), dvsec::cxl_device::kMaxRanges));
  }
  FunctionConfig out;
  ConfigSpaceBuilder b(out.space);
  HeaderIdentity id = f.identity;
  id.layout = is_bridge(f.kind) ? pci::header_type::kBridge : pci::header_type::kEndpoint;
  b.header(id);
  // As firmware leaves a booted machine: BARs assigned and decoding.
  out.space.store(pci::kCommand, 2, u32(pci::command::kMemorySpace.mask() | pci::command::kBusMaster.mask()));
  if (is_bridge(f.kind)) {
    b.bridge_buses(f.buses);
    b.bridge_memory_window(f.window_base, f.window_limit);
  }
  for (const BarAssignment& bar : f.bars) {
    if (Status ok = b.memory_bar64(bar.index, bar.base, bar.size); !ok) return ok.error();
  }
  if (Status ok = add_pcie_capability(b, f); !ok) return ok.error();
  if (Status ok = add_msix_capability(b, f.msix); !ok) return ok.error();
  if (Status ok = add_power_management(b); !ok) return ok.error();
  for (Part part : parts_of(f.kind)) {
    if (Status ok = add_part(b, f, part, out); !ok) return ok.error();
  }
  if (f.capability_loop && b.first_extended() && b.last_extended()) {
    const std::uint32_t last = out.space.load(*b.last_extended(), 4);
    out.space.store(*b.last_extended(), 4, u32(pci::ext_cap::kNext.set(last, *b.first_extended())));
  }
  return out;
}

}  // namespace cpmu::sim
