// The monitor's pending notifications behind one eventfd that is readable
// exactly while the queue is non-empty. The fd is a level, not a count: it
// is raised when the queue goes from empty to non-empty and lowered when the
// last notification is taken, both under the queue's lock, so no observer
// can see the fd and the queue disagree (seed 004: poll must never say ready
// while read would block, nor the reverse).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include "cpmu/monitor.hpp"
#include "util/unique_fd.hpp"

namespace cpmu::detail {

class NotificationQueue {
 public:
  static Result<std::unique_ptr<NotificationQueue>> create(std::size_t capacity);

  int fd() const { return fd_.get(); }
  void push(Notification notification);
  std::optional<Notification> pop();
  std::uint64_t dropped_snapshots() const;

 private:
  NotificationQueue(UniqueFd fd, std::size_t capacity) : fd_(std::move(fd)), capacity_(capacity) {}
  void raise();
  void lower();

  UniqueFd fd_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<Notification> pending_;
  std::uint64_t dropped_snapshots_ = 0;
};

}  // namespace cpmu::detail
