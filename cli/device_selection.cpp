#include "device_selection.hpp"

#include <fmt/format.h>

#include "cpmu/ownership.hpp"

namespace cpmu::cli {
namespace {

bool names_function(std::string_view device, const DiscoveredFunction& fn) {
  auto is = [&](const std::string& name) { return !name.empty() && device == name; };
  return is(fn.memdev) || (!fn.memdev.empty() && "mem" + std::string(device) == fn.memdev) ||
         is(fn.cxl_endpoint) || is(fn.cxl_port);
}

bool looks_like_kernel_name(std::string_view device) {
  for (std::string_view prefix : {"mem", "endpoint", "port"}) {
    if (device.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

}  // namespace

Result<MachineView> open_machine_view(const PlatformOptions& options, const SysfsRoots& roots) {
  auto platform = options.open();
  if (!platform) return platform.error();
  auto machine = discover(**platform);
  if (!machine) return machine.error();
  MachineView view{std::move(*platform), std::move(*machine), {}, false, {}};
  view.topology = build_topology(view.machine);
  // Kernel names belong to the machine we run on; a dump or a simulated
  // machine is another machine.
  view.live = view.platform->name() == "linux";
  if (view.live) view.kernel = read_kernel_cxl_view(roots);
  annotate_topology(view.machine, view.topology, view.kernel,
                    view.live ? cpmu_lock_directories() : std::vector<std::string>{});
  return view;
}

Result<std::vector<std::size_t>> select_functions(const DiscoveredMachine& machine, std::string_view device,
                                                  bool (*fallback)(const DiscoveredFunction&)) {
  std::vector<std::size_t> selected;
  if (device.empty()) {
    for (std::size_t i = 0; i < machine.functions.size(); ++i) {
      if (fallback(machine.functions[i])) selected.push_back(i);
    }
    return selected;
  }
  if (looks_like_kernel_name(device) || device.find_first_not_of("0123456789") == std::string_view::npos) {
    for (std::size_t i = 0; i < machine.functions.size(); ++i) {
      if (names_function(device, machine.functions[i])) selected.push_back(i);
    }
  }
  if (selected.empty() && !looks_like_kernel_name(device)) {
    auto address = PciAddress::parse(device);
    if (!address) {
      return Error(Errc::kInvalidArgument, fmt::format("DEVICE '{}': {}", device, address.error().message()));
    }
    for (std::size_t i = 0; i < machine.functions.size(); ++i) {
      if (machine.functions[i].info.address == *address) selected.push_back(i);
    }
  }
  if (selected.empty()) {
    return Error(Errc::kNotFound, fmt::format("DEVICE '{}' matches no PCI function (a BDF such as 0000:0d:00.0, "
                                              "or a kernel name such as mem0, endpoint3, port2)",
                                              device));
  }
  return selected;
}

std::string unprivileged_note(const MachineView& view) {
  if (!view.machine.config_access_denied) return "";
  return "extended configuration space needs root (CAP_SYS_ADMIN): DOE mailboxes cannot be found or used, and the "
         "kernel's CDAT copies are readable by root only";
}

std::string function_heading(const DiscoveredFunction& fn) {
  std::string heading = fmt::format("{} {}", fn.info.address.to_string(), component_kind_title(fn.kind));
  for (const std::string* name : {&fn.memdev, &fn.cxl_endpoint, &fn.cxl_port}) {
    if (!name->empty()) heading += " " + *name;
  }
  return heading;
}

}  // namespace cpmu::cli
