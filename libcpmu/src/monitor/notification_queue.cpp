#include "monitor/notification_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace cpmu::detail {

Result<std::unique_ptr<NotificationQueue>> NotificationQueue::create(std::size_t capacity) {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return Error(Errc::kIo, fmt::format("monitor notifications: eventfd: {}", std::strerror(errno)));
  return std::unique_ptr<NotificationQueue>(new NotificationQueue(UniqueFd(fd), capacity));
}

void NotificationQueue::push(Notification notification) {
  std::lock_guard lock(mutex_);
  if (pending_.size() >= capacity_) {
    // Only snapshot notifications give way: the newest one carries
    // everything the dropped one did, and the history keeps every point.
    auto oldest = std::find_if(pending_.begin(), pending_.end(),
                               [](const Notification& n) { return n.kind == NotificationKind::kSnapshot; });
    if (oldest != pending_.end()) {
      pending_.erase(oldest);
      ++dropped_snapshots_;
    }
  }
  pending_.push_back(std::move(notification));
  if (pending_.size() == 1) raise();
}

std::optional<Notification> NotificationQueue::pop() {
  std::lock_guard lock(mutex_);
  if (pending_.empty()) return std::nullopt;
  Notification front = std::move(pending_.front());
  pending_.pop_front();
  if (pending_.empty()) lower();
  return front;
}

std::uint64_t NotificationQueue::dropped_snapshots() const {
  std::lock_guard lock(mutex_);
  return dropped_snapshots_;
}

void NotificationQueue::raise() {
  const std::uint64_t one = 1;
  // Cannot fail: the counter only ever holds 0 or 1.
  [[maybe_unused]] const ssize_t written = ::write(fd_.get(), &one, sizeof one);
}

void NotificationQueue::lower() {
  std::uint64_t value = 0;
  // Cannot fail: the counter is 1 whenever the queue is non-empty.
  [[maybe_unused]] const ssize_t got = ::read(fd_.get(), &value, sizeof value);
}

}  // namespace cpmu::detail
