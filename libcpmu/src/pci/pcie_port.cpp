#include "pci/pcie_port.hpp"

#include <fmt/format.h>

#include "cpmu/regs/pci_config.hpp"

namespace cpmu {

namespace pcie = regs::pci::pcie;

std::string_view component_kind_name(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kRootPort: return "root-port";
    case ComponentKind::kSwitchUpstreamPort: return "upstream-port";
    case ComponentKind::kSwitchDownstreamPort: return "downstream-port";
    case ComponentKind::kEndpoint: return "endpoint";
    case ComponentKind::kOther: return "other";
  }
  return "other";
}

std::string_view component_kind_title(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kRootPort: return "root port";
    case ComponentKind::kSwitchUpstreamPort: return "switch upstream port";
    case ComponentKind::kSwitchDownstreamPort: return "switch downstream port";
    case ComponentKind::kEndpoint: return "endpoint";
    case ComponentKind::kOther: return "other";
  }
  return "other";
}

std::optional<double> link_speed_gt_s(unsigned code) {
  // Link speed codes 1..6 (PCIe Link Capabilities/Status).
  static constexpr double kSpeeds[] = {2.5, 5, 8, 16, 32, 64};
  if (code < 1 || code > pcie::kMaxSpeedCode) return std::nullopt;
  return kSpeeds[code - 1];
}

std::string link_speed_name(unsigned code) {
  if (auto speed = link_speed_gt_s(code)) return fmt::format("{}GT/s", *speed);
  return fmt::format("unknown (code {})", code);
}

namespace detail {

std::optional<PciePort> decode_pcie_port(const ConfigSpace& config, unsigned offset) {
  auto caps = config.read16(offset + pcie::kCapabilities);
  if (!caps) return std::nullopt;
  PciePort port;
  port.port_type = static_cast<unsigned>(pcie::kPortType.get(*caps));
  switch (port.port_type) {
    case pcie::kTypeRootPort: port.kind = ComponentKind::kRootPort; break;
    case pcie::kTypeUpstreamPort: port.kind = ComponentKind::kSwitchUpstreamPort; break;
    case pcie::kTypeDownstreamPort: port.kind = ComponentKind::kSwitchDownstreamPort; break;
    case pcie::kTypeEndpoint:
    case pcie::kTypeLegacyEndpoint:
    case pcie::kTypeRcIntegratedEndpoint: port.kind = ComponentKind::kEndpoint; break;
    default: port.kind = ComponentKind::kOther; break;
  }
  // Root-complex integrated functions have no link of their own.
  if (port.port_type == pcie::kTypeRcIntegratedEndpoint || port.port_type == pcie::kTypeRcEventCollector) {
    return port;
  }
  auto cap = config.read32(offset + pcie::kLinkCap);
  auto status = config.read16(offset + pcie::kLinkStatus);
  if (cap && status) {
    LinkInfo link;
    link.speed = static_cast<unsigned>(pcie::kLinkSpeed.get(*status));
    link.width = static_cast<unsigned>(pcie::kLinkWidth.get(*status));
    link.max_speed = static_cast<unsigned>(pcie::kLinkMaxSpeed.get(*cap));
    link.max_width = static_cast<unsigned>(pcie::kLinkMaxWidth.get(*cap));
    port.link = link;
  }
  return port;
}

}  // namespace detail
}  // namespace cpmu
