// Kernel lockdown and the errors of refused sysfs accesses.
//
// Under lockdown (LOCKDOWN_PCI_ACCESS, kernel_lockdown(7)) the kernel answers
// a config-space write or a resource mmap with EPERM even for root, which
// looks exactly like a missing privilege. The lockdown state, read from
// securityfs, tells the two apart so the user is told what actually blocks.
#pragma once

#include <string>
#include <string_view>

#include "cpmu/result.hpp"

namespace cpmu::detail {

inline constexpr const char* kLockdownFile = "/sys/kernel/security/lockdown";

enum class LockdownState {
  kUnknown,  // securityfs not mounted, or the file is unreadable
  kNone,
  kIntegrity,
  kConfidentiality,
};

// The selected mode of the file's text, e.g. "none [integrity] confidentiality".
LockdownState parse_lockdown(std::string_view text);
LockdownState read_lockdown(const std::string& path = kLockdownFile);

// The error for `what` (e.g. "writing config space of 0000:0d:00.0 (path)")
// after the kernel refused it with errno `err`, EPERM or EACCES.
Error refused_access_error(int err, std::string_view what, LockdownState lockdown);

}  // namespace cpmu::detail
