#include "cpmu/cpmu_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "cpmu/ownership.hpp"

namespace cpmu {
namespace {

Error busy(const PciAddress& function, unsigned instance, const CpmuOwner& owner) {
  const std::string who = owner.pid ? fmt::format("process {}", *owner.pid) : std::string("another process");
  return Error(Errc::kBusy, fmt::format("{} CPMU {}: {} programs it (lock file {})", function.to_string(), instance,
                                        who, owner.lock_file));
}

}  // namespace

Result<CpmuLock> CpmuLock::acquire(const std::vector<std::string>& directories, const PciAddress& function,
                                   unsigned instance) {
  // A holder may use any of the directories (root and users pick different
  // ones), so all of them are checked before one is locked.
  if (auto owner = find_cpmu_lock_holder(directories, function, instance)) return busy(function, instance, *owner);

  std::vector<std::string> failures;
  bool denied = false;
  for (const std::string& dir : directories) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const std::string path = dir + "/" + cpmu_lock_file_name(function, instance);
    // Readable by all, so that `cpmu list` of any user can name the owner.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      denied = denied || errno == EACCES || errno == EPERM || errno == EROFS;
      failures.push_back(fmt::format("{}: {}", path, std::strerror(errno)));
      continue;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        // Taken between the check above and now.
        if (auto owner = find_cpmu_lock_holder({dir}, function, instance)) return busy(function, instance, *owner);
      }
      failures.push_back(fmt::format("{}: flock: {}", path, std::strerror(err)));
      continue;
    }
    const std::string pid = fmt::format("{}\n", ::getpid());
    // Without the pid the lock still holds; others then see "another process".
    [[maybe_unused]] const bool wrote =
        ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
    return CpmuLock(fd, path);
  }
  return Error(denied ? Errc::kPermissionDenied : Errc::kIo,
               fmt::format("{} CPMU {}: cannot create a lock file in any of the lock directories ({})",
                           function.to_string(), instance, fmt::join(failures, "; ")));
}

CpmuLock::CpmuLock(CpmuLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

CpmuLock& CpmuLock::operator=(CpmuLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

CpmuLock::~CpmuLock() { release(); }

void CpmuLock::release() {
  if (fd_ < 0) return;
  // The file stays (removing a lock file races with the next locker); an
  // empty one names nobody.
  [[maybe_unused]] const int truncated = ::ftruncate(fd_, 0);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace cpmu
