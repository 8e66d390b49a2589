#include "platform/kernel_lockdown.hpp"

#include <fmt/format.h>

#include <cerrno>

#include "platform/sysfs_file.hpp"

namespace cpmu::detail {

LockdownState parse_lockdown(std::string_view text) {
  const auto open = text.find('[');
  const auto close = text.find(']', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return LockdownState::kUnknown;
  const std::string_view mode = text.substr(open + 1, close - open - 1);
  if (mode == "none") return LockdownState::kNone;
  if (mode == "integrity") return LockdownState::kIntegrity;
  if (mode == "confidentiality") return LockdownState::kConfidentiality;
  return LockdownState::kUnknown;
}

LockdownState read_lockdown(const std::string& path) {
  const Result<std::string> text = read_sysfs_text(path);
  return text ? parse_lockdown(*text) : LockdownState::kUnknown;
}

Error refused_access_error(int err, std::string_view what, LockdownState lockdown) {
  constexpr std::string_view kNeedsRoot = "it needs root (CAP_SYS_ADMIN)";
  if (lockdown == LockdownState::kIntegrity || lockdown == LockdownState::kConfidentiality) {
    const char* mode = lockdown == LockdownState::kIntegrity ? "integrity" : "confidentiality";
    if (err == EPERM) {
      return Error(Errc::kLockedDown,
                   fmt::format("{}: refused by kernel lockdown ({} mode, {}), which forbids direct PCI "
                               "access even to root; see kernel_lockdown(7). The kernel's cxl_pmu perf "
                               "interface works under lockdown",
                               what, mode, kLockdownFile));
    }
    return Error(Errc::kPermissionDenied,
                 fmt::format("{}: permission denied: {}, and kernel lockdown ({} mode) would refuse it "
                             "even then",
                             what, kNeedsRoot, mode));
  }
  if (err == EPERM && lockdown == LockdownState::kUnknown) {
    return Error(Errc::kPermissionDenied,
                 fmt::format("{}: operation not permitted: {}; if this already runs as root, kernel "
                             "lockdown is the likely cause ({} is not readable to confirm; see "
                             "kernel_lockdown(7))",
                             what, kNeedsRoot, kLockdownFile));
  }
  return Error(Errc::kPermissionDenied,
               fmt::format("{}: {}: {}", what, err == EPERM ? "operation not permitted" : "permission denied",
                           kNeedsRoot));
}

}  // namespace cpmu::detail
