// The kernel's own record of a function's DOE protocols (sysfs doe_features),
// so that a mailbox the kernel may be using can be described without
// touching it.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "cpmu/doe.hpp"
#include "cpmu/regs/doe.hpp"

namespace cpmu {
namespace {

constexpr std::string_view kDiscoveryFile = "doe_discovery";

// "1e98:02" -> (0x1E98, 2); anything else is not a protocol file.
std::optional<DoeProtocol> parse_feature(std::string_view name) {
  if (name == kDiscoveryFile) return DoeProtocol{regs::doe::kPciSigVendorId, regs::doe::kTypeDiscovery};
  if (name.size() != 7 || name[4] != ':') return std::nullopt;
  unsigned vendor = 0, type = 0;
  const auto v = std::from_chars(name.data(), name.data() + 4, vendor, 16);
  const auto t = std::from_chars(name.data() + 5, name.data() + 7, type, 16);
  if (v.ec != std::errc() || v.ptr != name.data() + 4 || t.ec != std::errc() || t.ptr != name.data() + 7) {
    return std::nullopt;
  }
  return DoeProtocol{static_cast<std::uint16_t>(vendor), static_cast<std::uint8_t>(type)};
}

}  // namespace

std::optional<std::vector<DoeProtocol>> read_kernel_doe_features(const std::string& function_sysfs_path) {
  if (function_sysfs_path.empty()) return std::nullopt;
  std::error_code ec;
  const auto dir = std::filesystem::path(function_sysfs_path) / "doe_features";
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  std::vector<DoeProtocol> protocols;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (auto p = parse_feature(entry.path().filename().string())) protocols.push_back(*p);
  }
  std::sort(protocols.begin(), protocols.end(), [](DoeProtocol a, DoeProtocol b) {
    return a.vendor_id != b.vendor_id ? a.vendor_id < b.vendor_id : a.type < b.type;
  });
  return protocols;
}

}  // namespace cpmu
