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
#include "util/unique_fd.hpp"

namespace cpmu {
namespace {

Error busy(const PciAddress& function, unsigned instance, const CpmuOwner& owner) {
  const std::string who = owner.pid ? fmt::format("process {}", *owner.pid) : std::string("another process");
  return Error(Errc::kBusy, fmt::format("{} CPMU {}: {} programs it (lock file {})", function.to_string(), instance,
                                        who, owner.lock_file));
}

// A lock directory must be this user's own: a directory (no link to one),
// owned by the effective user and writable by nobody else, so that no other
// user can plant a file, FIFO or link in it for a privileged cpmu to open.
// Made (mode 0755) when missing. `unsafe` tells a directory that exists but
// is refused from one that cannot be made or opened.
Result<detail::UniqueFd> open_lock_directory(const std::string& dir, bool& unsafe) {
  unsafe = false;
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ignored);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error(errno == EACCES || errno == EPERM || errno == EROFS ? Errc::kPermissionDenied : Errc::kIo,
                 std::strerror(errno));
  }
  detail::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) {
    const int err = errno;
    unsafe = err == ELOOP || err == ENOTDIR;
    // O_DIRECTORY|O_NOFOLLOW refuses a link as ENOTDIR or ELOOP: say which it is.
    struct stat link {};
    const bool is_link = unsafe && ::lstat(dir.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
    return Error(unsafe || err == EACCES ? Errc::kPermissionDenied : Errc::kIo, is_link
                                                                                    ? std::string("is a symbolic link")
                                                                                : unsafe ? "is not a directory"
                                                                                         : std::strerror(err));
  }
  unsafe = true;
  if (st.st_uid != ::geteuid()) {
    return Error(Errc::kPermissionDenied,
                 fmt::format("is owned by uid {}, not by this user (uid {})", st.st_uid, ::geteuid()));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Error(Errc::kPermissionDenied,
                 fmt::format("is writable by others (mode {:04o})", static_cast<unsigned>(st.st_mode & 07777)));
  }
  unsafe = false;
  return fd;
}

}  // namespace

Result<CpmuLock> CpmuLock::acquire(const std::vector<std::string>& directories, const PciAddress& function,
                                   unsigned instance) {
  // A holder may use any of the directories (root and users pick different
  // ones), so all of them are checked before one is locked.
  if (auto owner = find_cpmu_lock_holder(directories, function, instance)) return busy(function, instance, *owner);

  std::vector<std::string> failures;
  bool denied = false;
  const std::string name = cpmu_lock_file_name(function, instance);
  for (const std::string& dir : directories) {
    const std::string path = dir + "/" + name;
    bool unsafe = false;
    Result<detail::UniqueFd> directory = open_lock_directory(dir, unsafe);
    if (!directory) {
      // A directory someone else could have prepared is refused outright,
      // not passed over: the next one may be where no other cpmu looks.
      if (unsafe) {
        return Error(Errc::kPermissionDenied,
                     fmt::format("{} CPMU {}: refusing lock directory {}: it {}", function.to_string(), instance, dir,
                                 directory.error().message()));
      }
      denied = denied || directory.error().code() == Errc::kPermissionDenied;
      failures.push_back(fmt::format("{}: {}", path, directory.error().message()));
      continue;
    }
    // Readable by all, so that `cpmu list` of any user can name the owner.
    // Non-blocking and checked to be a regular file: nothing but a lock file
    // is ever opened, and no open can hang.
    const int fd =
        ::openat(directory->get(), name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      const int err = fd < 0 ? errno : 0;
      if (fd >= 0) ::close(fd);
      denied = denied || err == EACCES || err == EPERM || err == EROFS;
      failures.push_back(fmt::format("{}: {}", path, err != 0 ? std::strerror(err) : "not a regular file"));
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
