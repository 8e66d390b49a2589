// Whether userspace may drive a DOE mailbox. The kernel gives userspace no
// lock against its own DOE users (CDAT reads at CXL port probe, and newer
// kernels run other protocols over DOE), and an exchange interleaved with the
// kernel's could hand either side the other's response. So a mailbox the
// kernel may be using is left alone unless the caller insists.
#include <array>
#include <filesystem>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "cpmu/doe.hpp"

namespace cpmu {
namespace {

// Drivers under which the kernel's CXL code reaches a function's mailboxes:
// cxl_pci (memory devices) and pcieport (switch ports, which cxl_port reads
// through); cxl_port is listed for kernels that bind it to the function.
constexpr std::array<std::string_view, 3> kCxlDrivers = {"cxl_pci", "cxl_port", "pcieport"};
// Every CXL module depends on it; it holds the kernel's DOE users for CXL.
constexpr std::string_view kCxlCoreModule = "cxl_core";

bool is_cxl_driver(std::string_view driver) {
  for (std::string_view d : kCxlDrivers) {
    if (driver == d) return true;
  }
  return false;
}

}  // namespace

Status check_doe_access(const Platform& platform, const PciFunctionInfo& function, const DoeAccessPolicy& policy) {
  if (policy.force || platform.name() != "linux" || !is_cxl_driver(function.driver)) return {};
  std::error_code ec;
  const auto module = std::filesystem::path(policy.module_root) / kCxlCoreModule;
  if (!std::filesystem::is_directory(module, ec)) return {};
  return Error(Errc::kOwnedByDriver,
               fmt::format("{}: the kernel may be using its DOE mailboxes (driver {}, module {} loaded); "
                           "not used without force, since exchanges could collide with the kernel's",
                           function.address.to_string(), function.driver, kCxlCoreModule));
}

}  // namespace cpmu
