// decode_function(): everything config space alone says about a function.
#include <fmt/format.h>

#include <algorithm>

#include "cpmu/discovery.hpp"
#include "cpmu/regs/cpmu.hpp"
#include "cpmu/regs/cxl_dvsec.hpp"
#include "cpmu/regs/doe.hpp"
#include "cpmu/regs/pci_config.hpp"
#include "cxl/dvsec.hpp"
#include "cxl/register_locator.hpp"
#include "pci/bar_layout.hpp"
#include "pci/ext_cap_walk.hpp"
#include "pci/pcie_port.hpp"

namespace cpmu {

namespace pci = regs::pci;

bool DiscoveredFunction::is_cxl() const {
  return std::any_of(dvsecs.begin(), dvsecs.end(), [](const Dvsec& d) { return d.is_cxl(); });
}

namespace {

// CXL memory devices: class 0x0502 (memory controller, CXL), prog-if 0x10.
constexpr std::uint32_t kCxlMemoryClass = 0x050210;

void decode_header(const ConfigSpace& config, DiscoveredFunction& fn) {
  auto header = config.read8(pci::kHeaderType);
  if (header && pci::header_type::kLayout.get(*header) == pci::header_type::kBridge) {
    auto primary = config.read8(pci::kPrimaryBus);
    auto secondary = config.read8(pci::kSecondaryBus);
    auto subordinate = config.read8(pci::kSubordinateBus);
    if (primary && secondary && subordinate) fn.buses = BridgeBuses{*primary, *secondary, *subordinate};
  }
  // The bytes are authoritative; the platform's class code is a fallback for
  // backends that could not read them.
  auto class_low = config.read8(pci::kProgIf);
  auto class_high = config.read16(pci::kProgIf + 1);
  std::uint32_t class_code = class_low && class_high
                                 ? (static_cast<std::uint32_t>(*class_high) << 8) | *class_low
                                 : fn.info.class_code;
  fn.memory_device = class_code == kCxlMemoryClass;
}

void decode_conventional_capabilities(const ConfigSpace& config, DiscoveredFunction& fn) {
  auto walk = detail::walk_capabilities(config);
  fn.problems.insert(fn.problems.end(), walk.problems.begin(), walk.problems.end());
  for (const auto& cap : walk.capabilities) {
    if (cap.id != pci::cap_id::kPcie) continue;
    auto port = detail::decode_pcie_port(config, cap.offset);
    if (!port) {
      fn.problems.emplace_back(Errc::kMalformed,
                               fmt::format("PCI Express capability at 0x{:02x} is cut short", cap.offset));
      return;
    }
    if (config.size() < pci::kConfigSize) {
      fn.problems.emplace_back(Errc::kUnsupported,
                               fmt::format("only {} bytes of config space: the extended capabilities of this PCI "
                                           "Express function (where CXL lives) are not visible",
                                           config.size()));
    }
    fn.pcie_port_type = port->port_type;
    fn.kind = port->kind;
    fn.link = port->link;
    return;
  }
}

void decode_doe(const ConfigSpace& config, unsigned offset, DiscoveredFunction& fn) {
  auto caps = config.read32(offset + regs::doe::kCapabilities);
  if (!caps) {
    fn.problems.emplace_back(Errc::kMalformed,
                             fmt::format("DOE capability at 0x{:03x} runs past the end of config space", offset));
    return;
  }
  DoeCapability doe;
  doe.offset = offset;
  doe.capabilities = *caps;
  doe.interrupt_support = regs::doe::cap::kInterruptSupport.get(*caps) != 0;
  doe.interrupt_message = static_cast<unsigned>(regs::doe::cap::kInterruptMessageNumber.get(*caps));
  fn.doe_mailboxes.push_back(doe);
}

void decode_serial_number(const ConfigSpace& config, unsigned offset, DiscoveredFunction& fn) {
  auto low = config.read32(offset + pci::dsn::kSerialLow);
  auto high = config.read32(offset + pci::dsn::kSerialHigh);
  if (!low || !high) {
    fn.problems.emplace_back(
        Errc::kMalformed,
        fmt::format("Device Serial Number capability at 0x{:03x} runs past the end of config space", offset));
    return;
  }
  fn.serial_number = (static_cast<std::uint64_t>(*high) << 32) | *low;
}

void list_cpmus(DiscoveredFunction& fn) {
  unsigned instance = 0;
  for (const auto& block : fn.register_blocks) {
    if (block.block_id != regs::dvsec::block_id::kCpmu) continue;
    Cpmu cpmu;
    cpmu.instance = instance++;
    cpmu.block = block;
    if (block.bar_size && *block.bar_size - block.offset < regs::cpmu::kBlockSize) {
      cpmu.capabilities_unknown = fmt::format(
          "the block needs 0x{:x} bytes but BAR{} ends 0x{:x} bytes after its offset",
          regs::cpmu::kBlockSize, block.bir, *block.bar_size - block.offset);
      fn.problems.emplace_back(Errc::kMalformed, fmt::format("cpmu{}: {}", cpmu.instance, cpmu.capabilities_unknown));
    } else {
      cpmu.capabilities_unknown = "needs BAR access, which config space alone does not give";
    }
    fn.cpmus.push_back(std::move(cpmu));
  }
}

void decode_extended_capabilities(const ConfigSpace& config, DiscoveredFunction& fn) {
  auto walk = detail::walk_extended_capabilities(config);
  fn.problems.insert(fn.problems.end(), walk.problems.begin(), walk.problems.end());
  fn.extended_capabilities = walk.capabilities;
  auto bars = detail::bar_layout(config, fn.info);
  for (const auto& cap : walk.capabilities) {
    switch (cap.id) {
      case pci::ext_cap_id::kDsn: decode_serial_number(config, cap.offset, fn); break;
      case pci::ext_cap_id::kDoe: decode_doe(config, cap.offset, fn); break;
      case pci::ext_cap_id::kDvsec: {
        auto read = detail::read_dvsec(config, cap.offset, fn.problems);
        if (!read.dvsec) break;
        fn.dvsecs.push_back(*read.dvsec);
        if (read.body_usable && read.dvsec->is_cxl() && read.dvsec->id == regs::dvsec::id::kRegisterLocator) {
          detail::decode_register_locator(config, *read.dvsec, bars, fn.register_blocks, fn.problems);
        }
        break;
      }
      default: break;
    }
  }
  list_cpmus(fn);
}

}  // namespace

DiscoveredFunction decode_function(const ConfigSpace& config, const PciFunctionInfo& info) {
  DiscoveredFunction fn;
  fn.info = info;
  fn.config_size = config.size();
  if (config.reads_all_ones()) {
    fn.responding = false;
    fn.problems.emplace_back(Errc::kDeviceGone, "device not responding (reads all ones)");
    return fn;
  }
  if (config.size() < pci::kUnprivilegedSize) {
    fn.problems.emplace_back(Errc::kMalformed,
                             fmt::format("only {} bytes of config space, less than the 64-byte header",
                                         config.size()));
  }
  decode_header(config, fn);
  decode_conventional_capabilities(config, fn);
  decode_extended_capabilities(config, fn);
  return fn;
}

}  // namespace cpmu
