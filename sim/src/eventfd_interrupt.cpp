// EventFd: a non-blocking eventfd counter.
#include "eventfd_interrupt.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace cpmu::sim {

Result<std::shared_ptr<EventFd>> EventFd::create() {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return Error(Errc::kIo, fmt::format("eventfd: {}", std::strerror(errno)));
  return std::shared_ptr<EventFd>(new EventFd(fd));
}

EventFd::~EventFd() { close(fd_); }

void EventFd::signal(std::uint64_t count) {
  // Only fails when the counter would reach 2^64 - 1, which cannot happen
  // before a reader drains it; losing an increment then would be harmless.
  [[maybe_unused]] const ssize_t written = write(fd_, &count, sizeof count);
}

Result<std::uint64_t> EventFd::drain() {
  std::uint64_t count = 0;
  if (read(fd_, &count, sizeof count) == static_cast<ssize_t>(sizeof count)) return count;
  if (errno == EAGAIN) return std::uint64_t{0};
  return Error(Errc::kIo, fmt::format("reading interrupt eventfd: {}", std::strerror(errno)));
}

}  // namespace cpmu::sim
