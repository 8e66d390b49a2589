#include "cpmu/ownership.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>

namespace cpmu {

std::string_view cpmu_owner_name(CpmuOwnerKind kind) {
  switch (kind) {
    case CpmuOwnerKind::kNone: return "none";
    case CpmuOwnerKind::kKernel: return "kernel";
    case CpmuOwnerKind::kProcess: return "process";
  }
  return "none";
}

std::vector<std::string> cpmu_lock_directories() {
  // The default places first: a lock is taken in the first usable one, so
  // $CPMU_LOCK_DIR can never hide a lock from a cpmu that does not set it.
  std::vector<std::string> dirs{"/run/cpmu"};
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) {
    dirs.push_back(std::string(runtime) + "/cpmu");
  }
  if (const char* dir = std::getenv("CPMU_LOCK_DIR"); dir && *dir) dirs.emplace_back(dir);
  return dirs;
}

std::string cpmu_lock_file_name(const PciAddress& function, unsigned instance) {
  return fmt::format("cpmu-{}-{}.lock", function.to_string(), instance);
}

std::optional<CpmuOwner> find_cpmu_lock_holder(const std::vector<std::string>& directories,
                                               const PciAddress& function, unsigned instance) {
  for (const auto& dir : directories) {
    std::string path = dir + "/" + cpmu_lock_file_name(function, instance);
    // Non-blocking, and only a regular file: a FIFO planted where a lock
    // file belongs must not hang whoever looks.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) continue;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      continue;
    }
    // A shared lock is refused exactly while someone holds the exclusive one;
    // if we get it we drop it again at close.
    bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    CpmuOwner owner;
    if (held) {
      owner.kind = CpmuOwnerKind::kProcess;
      owner.lock_file = path;
      char text[32] = {};
      ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
      pid_t pid = 0;
      if (got > 0) {
        auto parsed = std::from_chars(text, text + got, pid);
        if (parsed.ec == std::errc() && pid > 0) owner.pid = pid;
      }
    }
    ::close(fd);
    if (held) return owner;
  }
  return std::nullopt;
}

}  // namespace cpmu
