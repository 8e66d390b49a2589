#include "platform/sysfs_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "cpmu/printable_text.hpp"

namespace cpmu::detail {

namespace {

Error not_regular(const std::string& path, mode_t mode) {
  const char* kind = S_ISFIFO(mode)                   ? "a FIFO"
                     : S_ISDIR(mode)                  ? "a directory"
                     : S_ISCHR(mode) || S_ISBLK(mode) ? "a device"
                     : S_ISSOCK(mode)                 ? "a socket"
                                                      : "not a file";
  return Error(Errc::kMalformed,
               fmt::format("{}: is {}, not a regular file as every sysfs attribute is", printable(path), kind));
}

}  // namespace

Result<UniqueFd> open_sysfs_file(const std::string& path, int flags, int* err) {
  UniqueFd fd(::open(path.c_str(), flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) {
    const int e = errno;
    if (err != nullptr) *err = e;
    return Error(e == ENOENT                 ? Errc::kNotFound
                 : e == EACCES || e == EPERM ? Errc::kPermissionDenied
                                             : Errc::kIo,
                 fmt::format("{}: {}", printable(path), std::strerror(e)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    const int e = errno;
    if (err != nullptr) *err = e;
    return Error(Errc::kIo, fmt::format("{}: {}", printable(path), std::strerror(e)));
  }
  if (!S_ISREG(st.st_mode)) return not_regular(path, st.st_mode);
  return fd;
}

Status check_sysfs_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error(errno == ENOENT ? Errc::kNotFound : Errc::kIo,
                 fmt::format("{}: {}", printable(path), std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) return not_regular(path, st.st_mode);
  if (::access(path.c_str(), R_OK) != 0) {
    return Error(Errc::kPermissionDenied, fmt::format("{}: {}", printable(path), std::strerror(errno)));
  }
  return {};
}

Result<std::string> read_sysfs_text(const std::string& path, std::size_t limit) {
  auto fd = open_sysfs_file(path, O_RDONLY);
  if (!fd) return fd.error();
  std::string text(limit + 1, '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd->get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(Errc::kIo, fmt::format("{}: {}", printable(path), std::strerror(errno)));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > limit) return Error(Errc::kMalformed, fmt::format("{}: larger than {} bytes", printable(path), limit));
  text.resize(got);
  return text;
}

}  // namespace cpmu::detail
