// Interrupt delivery through eventfds: the machine signals an EventFd, a
// subscriber polls the InterruptSource that owns it.
#pragma once

#include <cstdint>
#include <memory>

#include "cpmu/platform.hpp"
#include "cpmu/result.hpp"

namespace cpmu::sim {

class EventFd {
 public:
  static Result<std::shared_ptr<EventFd>> create();
  ~EventFd();
  EventFd(const EventFd&) = delete;
  EventFd& operator=(const EventFd&) = delete;

  int fd() const { return fd_; }
  // Adds `count` pending interrupts; never blocks.
  void signal(std::uint64_t count = 1);
  // Takes every pending interrupt; 0 if none.
  Result<std::uint64_t> drain();

 private:
  explicit EventFd(int fd) : fd_(fd) {}
  int fd_;
};

// The subscriber's end: the machine holds only a weak reference, so a source
// may outlive the machine and the machine never signals a closed fd.
class EventFdInterrupt final : public InterruptSource {
 public:
  explicit EventFdInterrupt(std::shared_ptr<EventFd> event) : event_(std::move(event)) {}
  int fd() const override { return event_->fd(); }
  Result<std::uint64_t> consume() override { return event_->drain(); }

 private:
  std::shared_ptr<EventFd> event_;
};

}  // namespace cpmu::sim
