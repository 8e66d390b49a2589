// Who drives a CPMU's registers: nobody, the kernel's cxl_pmu driver, or
// another cpmu process. Between cpmu processes ownership is an advisory
// flock(2) on one lock file per CPMU; this header defines where that file is,
// so discovery (which only looks) and the counting engine (which takes the
// lock) agree.
//
// Lock file: <dir>/cpmu-<DDDD:BB:DD.F>-<instance>.lock, where <dir> is, in
// order: /run/cpmu (the directory root processes use); $XDG_RUNTIME_DIR/cpmu
// (the directory an unprivileged process uses); $CPMU_LOCK_DIR (searched
// too, and used only when neither default place can be made). A lock is
// taken in the first of them that can be used, in a directory owned by the
// caller and writable by nobody else (any other is refused). The holder
// writes its decimal pid into the file after taking LOCK_EX.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/pci_address.hpp"

namespace cpmu {

enum class CpmuOwnerKind { kNone, kKernel, kProcess };
CPMU_API std::string_view cpmu_owner_name(CpmuOwnerKind kind);  // "none", "kernel", "process"

struct CpmuOwner {
  CpmuOwnerKind kind = CpmuOwnerKind::kNone;
  std::string kernel_device;     // kKernel: "pmu_mem0.0"
  std::optional<pid_t> pid;      // kProcess: the holder's pid, if it wrote one
  std::string lock_file;         // kProcess: the lock file that is held
};

// The directories a lock may live in, most specific first (see above). Only
// directories whose environment variable is set are listed; the list is never
// empty because /run/cpmu is always included.
CPMU_API std::vector<std::string> cpmu_lock_directories();

// "cpmu-0000:0d:00.0-1.lock"
CPMU_API std::string cpmu_lock_file_name(const PciAddress& function, unsigned instance);

// Looks for a held lock of this CPMU in `directories`. Never creates files and
// never blocks: a lock file that exists but is not locked means nobody.
CPMU_API std::optional<CpmuOwner> find_cpmu_lock_holder(const std::vector<std::string>& directories,
                                                        const PciAddress& function, unsigned instance);

}  // namespace cpmu
