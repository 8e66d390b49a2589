// DeviceClock: rate bounds before and after measuring a clock_ticks counter.
#include "counting/device_clock.hpp"

#include <gtest/gtest.h>

namespace cpmu {
namespace {

TEST(DeviceClock, AssumesTheFastestClockUntilMeasured) {
  DeviceClock clock;
  EXPECT_FALSE(clock.measured());
  EXPECT_EQ(clock.bound_hz(), kAssumedMaxClockHz);
  // 1 increment per cycle at 5 GHz for 1 ms.
  EXPECT_EQ(clock.max_increment(1, 1'000'000), 5'000'000u);
  // A 32-bit counter at 255 per cycle: 2^32 / (255 * 5e9) s = 3.3686 ms.
  EXPECT_EQ(clock.lap_time(32, 255).count(), 3'368'601);
}

TEST(DeviceClock, MeasuredRateWithMarginReplacesTheAssumption) {
  DeviceClock clock;
  clock.calibrate(10'000'000, 10'000'000);   // 1 GHz over 10 ms
  EXPECT_TRUE(clock.measured());
  EXPECT_EQ(clock.bound_hz(), 1'250'000'000u);
  clock.calibrate(90'000'000, 19'999'999);   // not yet twice the window
  EXPECT_EQ(clock.bound_hz(), 1'250'000'000u);
  clock.calibrate(18'000'000, 20'000'000);   // never lowered once measured
  EXPECT_EQ(clock.bound_hz(), 1'250'000'000u);
  clock.calibrate(100'000'000, 40'000'000);
  EXPECT_EQ(clock.bound_hz(), 3'125'000'000u);
}

TEST(DeviceClock, ShortOrSparseWindowsDoNotCalibrate) {
  DeviceClock clock;
  clock.calibrate(10'000'000, 9'999'999);
  clock.calibrate(999, 100'000'000);
  EXPECT_FALSE(clock.measured());
}

TEST(DeviceClock, BoundsSaturateForWideCounters) {
  DeviceClock clock;
  EXPECT_EQ(clock.max_increment(8160, ~0ULL), ~0ULL);
  // 2^64 / 5 GHz = 3.69e18 ns, still below the 9.2e18 a nanosecond count holds.
  EXPECT_NEAR(static_cast<double>(clock.lap_time(64, 1).count()), 3.6893488e18, 1e11);
  EXPECT_EQ(clock.lap_time(1, 8160).count(), 1);   // never below 1 ns
}

}  // namespace
}  // namespace cpmu
