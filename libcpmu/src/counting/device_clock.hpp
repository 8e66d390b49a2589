// DeviceClock: what the backend knows about how fast a CPMU's counters can
// move. Every bound is "at most N increments per device clock cycle"
// (max_increments_per_cycle()) times the device clock, and the clock is either
// measured from a clock_ticks counter or assumed (docs/counting.md, "Polling
// period").
#pragma once

#include <chrono>
#include <cstdint>

namespace cpmu {

// Before a clock_ticks counter has been measured: no CPMU clock above 5 GHz
// (the fastest clock cxlsim models; the facts give none). UNVERIFIED.
inline constexpr std::uint64_t kAssumedMaxClockHz = 5'000'000'000;
// The slowest clock a CPMU is assumed to run at while its counters count:
// 1 MHz (cxlsim's lowest; UNVERIFIED). StuckClockWatch builds on it.
inline constexpr std::uint64_t kAssumedMinClockHz = 1'000'000;
// A measurement needs this long a window and this many ticks; the measured
// rate gets a 25% margin for clock variation.
inline constexpr std::chrono::nanoseconds kClockCalibrationWindow = std::chrono::milliseconds(10);
inline constexpr std::uint64_t kClockCalibrationTicks = 1000;

class DeviceClock {
 public:
  std::uint64_t bound_hz() const { return bound_hz_; }
  bool measured() const { return measured_; }

  // `ticks` clock cycles counted in a window at least `window_ns` long.
  // Measures at the first window of kClockCalibrationWindow, then whenever
  // the window has doubled (the longer, the more precise), so the cost stays
  // off the sampling path. The first measurement replaces the assumption;
  // later ones only ever raise the bound.
  void calibrate(std::uint64_t ticks, std::uint64_t window_ns);

  // The most a counter advancing `per_cycle` per cycle can move in
  // `elapsed_ns`, rounded up, saturated at 2^64 - 1.
  std::uint64_t max_increment(unsigned per_cycle, std::uint64_t elapsed_ns) const;
  // How long such a counter of `width` bits needs for one lap (2^width),
  // rounded down; at least 1 ns.
  std::chrono::nanoseconds lap_time(unsigned width, unsigned per_cycle) const;

  void reset() { *this = DeviceClock(); }

 private:
  std::uint64_t bound_hz_ = kAssumedMaxClockHz;
  bool measured_ = false;
  std::uint64_t next_window_ns_ = static_cast<std::uint64_t>(kClockCalibrationWindow.count());
};

}  // namespace cpmu
