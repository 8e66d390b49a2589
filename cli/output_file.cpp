#include "output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace cpmu::cli {

namespace {

// The mode a shell's `> FILE` would give a new file, instead of mkostemp's 0600.
mode_t new_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

Result<Output> Output::create_file(const std::string& path) {
  // A device or FIFO (/dev/full, /dev/stdout, a pipe) is written in place:
  // there is no file to replace, and a temporary one beside it would be wrong.
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    if (S_ISDIR(existing.st_mode)) return Error(Errc::kInvalidArgument, fmt::format("{}: is a directory", path));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    std::FILE* stream = fd < 0 ? nullptr : ::fdopen(fd, "w");
    if (stream == nullptr) {
      const int err = errno;
      if (fd >= 0) ::close(fd);
      return Error(Errc::kIo, fmt::format("cannot open {}: {}", path, std::strerror(err)));
    }
    return Output(stream, path, {}, {});
  }
  std::string temporary = path + ".XXXXXX";
  const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) return Error(Errc::kIo, fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  std::FILE* stream = ::fdopen(fd, "w");
  if (stream == nullptr || ::fchmod(fd, new_file_mode()) != 0) {
    const int err = errno;
    stream ? std::fclose(stream) : ::close(fd);
    ::unlink(temporary.c_str());
    return Error(Errc::kIo, fmt::format("cannot create {}: {}", path, std::strerror(err)));
  }
  return Output(stream, path, path, std::move(temporary));
}

Result<Output> Output::append_file(const std::string& path) {
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode)) {
    return Error(Errc::kInvalidArgument, fmt::format("{}: is a directory", path));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, new_file_mode());
  std::FILE* stream = fd < 0 ? nullptr : ::fdopen(fd, "a");
  if (stream == nullptr) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    return Error(Errc::kIo, fmt::format("cannot open {}: {}", path, std::strerror(err)));
  }
  return Output(stream, path, {}, {});
}

Output::Output(Output&& other) noexcept
    : stream_(std::exchange(other.stream_, nullptr)),
      name_(std::move(other.name_)),
      path_(std::move(other.path_)),
      temporary_(std::exchange(other.temporary_, {})),
      owned_(std::exchange(other.owned_, false)),
      failed_(std::move(other.failed_)),
      failed_errno_(other.failed_errno_) {}

Output::~Output() {
  if (!owned_ || stream_ == nullptr) return;
  std::fclose(stream_);
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

Status Output::fail(int err) {
  if (err == 0) err = EIO;  // ferror() without errno: report it as an I/O error
  failed_errno_ = err;
  failed_ = Error(Errc::kIo, fmt::format("cannot write {}: {}", name_, std::strerror(err)));
  return *failed_;
}

Status Output::flush() {
  errno = 0;
  if (std::fflush(stream_) != 0 || std::ferror(stream_)) return fail(errno);
  return {};
}

Status Output::finish() {
  if (failed_) return *failed_;
  if (Status flushed = flush(); !flushed) return flushed;
  if (!owned_) return {};
  // A file is complete only once its data is on the disk (a full disk may
  // show only here) and it is closed; then it takes the real name.
  errno = 0;
  const bool synced = temporary_.empty() || ::fsync(::fileno(stream_)) == 0;
  const int sync_errno = errno;
  const bool closed = std::fclose(stream_) == 0;
  stream_ = nullptr;
  if (!synced) return fail(sync_errno);
  if (!closed) return fail(errno);
  if (temporary_.empty()) return {};
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) return fail(errno);
  temporary_.clear();
  return {};
}

}  // namespace cpmu::cli
