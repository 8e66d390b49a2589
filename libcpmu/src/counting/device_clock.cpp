#include "counting/device_clock.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cpmu {
namespace {

constexpr long double kNsPerSecond = 1e9L;
constexpr long double kMeasuredMargin = 1.25L;

}  // namespace

void DeviceClock::calibrate(std::uint64_t ticks, std::uint64_t window_ns) {
  if (window_ns < next_window_ns_ || ticks < kClockCalibrationTicks) return;
  next_window_ns_ = 2 * window_ns;
  // The ticks happened inside the counting window, which is at least
  // window_ns long: ticks / window_ns bounds the rate from above.
  const long double hz = std::ceil(static_cast<long double>(ticks) * kNsPerSecond /
                                   static_cast<long double>(window_ns) * kMeasuredMargin);
  const auto bound = static_cast<std::uint64_t>(std::min(hz, 1e18L));
  bound_hz_ = measured_ ? std::max(bound_hz_, bound) : bound;
  measured_ = true;
}

std::uint64_t DeviceClock::max_increment(unsigned per_cycle, std::uint64_t elapsed_ns) const {
  const long double most = std::ceil(static_cast<long double>(per_cycle) * static_cast<long double>(bound_hz_) *
                                     static_cast<long double>(elapsed_ns) / kNsPerSecond);
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  return most >= static_cast<long double>(kMax) ? kMax : static_cast<std::uint64_t>(most);
}

std::chrono::nanoseconds DeviceClock::lap_time(unsigned width, unsigned per_cycle) const {
  const long double ns = std::ldexp(1.0L, static_cast<int>(width)) * kNsPerSecond /
                         (static_cast<long double>(per_cycle) * static_cast<long double>(bound_hz_));
  constexpr auto kMax = std::numeric_limits<std::chrono::nanoseconds::rep>::max();
  if (ns >= static_cast<long double>(kMax)) return std::chrono::nanoseconds(kMax);
  return std::chrono::nanoseconds(std::max<std::chrono::nanoseconds::rep>(1, static_cast<std::int64_t>(ns)));
}

}  // namespace cpmu
