// Time for the simulated machine. Tests drive a VirtualClock; demos use a
// RealClock. Every model reads time only through this interface, in
// nanoseconds since the machine was reset.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace cpmu::sim {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::uint64_t now_ns() const = 0;
  virtual bool is_virtual() const = 0;
};

class VirtualClock final : public Clock {
 public:
  std::uint64_t now_ns() const override { return now_.load(std::memory_order_acquire); }
  bool is_virtual() const override { return true; }
  void advance(std::uint64_t ns) { now_.fetch_add(ns, std::memory_order_acq_rel); }

 private:
  std::atomic<std::uint64_t> now_{0};
};

class RealClock final : public Clock {
 public:
  std::uint64_t now_ns() const override {
    const std::uint64_t held = held_at_.load(std::memory_order_acquire);
    return held != kRunning ? held : elapsed_ns() - paused_ns_.load(std::memory_order_acquire);
  }
  bool is_virtual() const override { return false; }
  // Held, time stands at the instant of hold(true); released, it runs on
  // from there (the held span never happened).
  void hold(bool held) {
    if (held && held_at_.load() == kRunning) {
      held_at_.store(now_ns(), std::memory_order_release);
    } else if (!held && held_at_.load() != kRunning) {
      paused_ns_.store(elapsed_ns() - held_at_.load(), std::memory_order_release);
      held_at_.store(kRunning, std::memory_order_release);
    }
  }

 private:
  static constexpr std::uint64_t kRunning = ~0ULL;
  std::uint64_t elapsed_ns() const {
    auto elapsed = std::chrono::steady_clock::now() - start_;
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  }
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> held_at_{kRunning};
  std::atomic<std::uint64_t> paused_ns_{0};
};

}  // namespace cpmu::sim
