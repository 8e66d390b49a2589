#include "device_selection.hpp"

#include <fmt/format.h>

namespace cpmu::cli {

Result<std::vector<std::size_t>> select_devices(const Session& session, const std::string& device,
                                                bool (*fallback)(const DiscoveredFunction&)) {
  std::vector<std::string> selectors;
  if (!device.empty()) selectors.push_back(device);
  auto selected = select_functions(session.machine(), selectors, fallback);
  if (!selected) return Error(selected.error().code(), fmt::format("DEVICE {}", selected.error().message()));
  return selected;
}

std::string unprivileged_note(const Session& session) {
  if (!session.machine().config_access_denied) return "";
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
