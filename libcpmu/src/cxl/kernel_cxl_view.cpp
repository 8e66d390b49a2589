// read_kernel_cxl_view(): the kernel's CXL objects from /sys/bus/cxl (facts
// §2.10; object layout as QEMU guests show it, shared/qemu-cxl/dumps).
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>
#include <string_view>

#include "cpmu/topology.hpp"

namespace cpmu {

namespace fs = std::filesystem;

namespace {

bool has_numbered_prefix(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix || name.size() == prefix.size()) return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

std::optional<fs::path> resolve(const fs::path& path) {
  std::error_code ec;
  auto real = fs::canonical(path, ec);
  if (ec) return std::nullopt;
  return real;
}

std::optional<PciAddress> as_function(const fs::path& path) {
  auto address = PciAddress::parse(path.filename().string());
  if (!address) return std::nullopt;
  return *address;
}

// "pci0000:0c" -> (domain, bus)
std::optional<std::pair<std::uint16_t, std::uint8_t>> as_host_bridge(const fs::path& path) {
  std::string name = path.filename().string();
  if (name.size() != 10 || name.substr(0, 3) != "pci" || name[7] != ':') return std::nullopt;
  unsigned domain = 0, bus = 0;
  auto d = std::from_chars(name.data() + 3, name.data() + 7, domain, 16);
  auto b = std::from_chars(name.data() + 8, name.data() + 10, bus, 16);
  if (d.ec != std::errc() || d.ptr != name.data() + 7 || b.ec != std::errc() || b.ptr != name.data() + 10) {
    return std::nullopt;
  }
  return std::pair{static_cast<std::uint16_t>(domain), static_cast<std::uint8_t>(bus)};
}

void read_port(const fs::path& dir, const std::string& name, KernelCxlView& view) {
  KernelCxlView::Port port;
  port.name = name;
  if (auto uport = resolve(dir / "uport")) {
    port.function = as_function(*uport);
    port.host_bridge = as_host_bridge(*uport);
    // A host bridge port's uport may be its ACPI device; its physical node is
    // the PCI root.
    if (!port.function && !port.host_bridge) {
      if (auto node = resolve(*uport / "physical_node")) port.host_bridge = as_host_bridge(*node);
    }
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string child = entry.path().filename().string();
    if (!has_numbered_prefix(child, "dport")) continue;
    unsigned number = 0;
    auto parsed = std::from_chars(child.data() + 5, child.data() + child.size(), number);
    if (parsed.ec != std::errc()) continue;
    if (auto target = resolve(entry.path())) {
      if (auto function = as_function(*target)) port.dports.emplace_back(number, *function);
    }
  }
  std::sort(port.dports.begin(), port.dports.end());
  view.ports.push_back(std::move(port));
}

}  // namespace

KernelCxlView read_kernel_cxl_view(const SysfsRoots& roots) {
  KernelCxlView view;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(roots.cxl) / "devices", ec)) {
    std::string name = entry.path().filename().string();
    auto real = resolve(entry.path());
    if (!real) continue;
    if (has_numbered_prefix(name, "mem")) {
      if (auto function = as_function(real->parent_path())) view.memdevs.push_back({name, *function});
    } else if (has_numbered_prefix(name, "endpoint")) {
      if (auto uport = resolve(*real / "uport")) view.endpoints.push_back({name, uport->filename().string()});
    } else if (has_numbered_prefix(name, "port")) {
      read_port(*real, name, view);
    } else if (has_numbered_prefix(name, "pmu_mem")) {
      auto function = as_function(real->parent_path());
      auto dot = name.rfind('.');
      unsigned instance = 0;
      if (!function || dot == std::string::npos) continue;
      auto parsed = std::from_chars(name.data() + dot + 1, name.data() + name.size(), instance);
      if (parsed.ec != std::errc() || parsed.ptr != name.data() + name.size()) continue;
      view.pmus.push_back({name, *function, instance, fs::exists(*real / "driver", ec)});
    }
  }
  for (const auto& entry : fs::directory_iterator(fs::path(roots.event_source) / "devices", ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("cxl_pmu_", 0) == 0) view.perf_pmus.push_back(name);
  }
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::sort(view.memdevs.begin(), view.memdevs.end(), by_name);
  std::sort(view.ports.begin(), view.ports.end(), by_name);
  std::sort(view.endpoints.begin(), view.endpoints.end(), by_name);
  std::sort(view.pmus.begin(), view.pmus.end(), by_name);
  std::sort(view.perf_pmus.begin(), view.perf_pmus.end());
  return view;
}

}  // namespace cpmu
