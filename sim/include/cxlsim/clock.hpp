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
    auto elapsed = std::chrono::steady_clock::now() - start_;
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  }
  bool is_virtual() const override { return false; }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace cpmu::sim
