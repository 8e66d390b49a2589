// WrapTracker: exact totals from values and overflow bits, for every width,
// and the cases the kernel driver gets wrong (facts §2.9).
#include "counting/wrap_tracker.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace cpmu {
namespace {

constexpr std::uint64_t kNoBound = std::numeric_limits<std::uint64_t>::max();

TEST(WrapTracker, CountsTheDifferenceWithoutWraps) {
  WrapTracker t(16);
  EXPECT_EQ(t.observe(100, false, kNoBound).increment, 100u);
  EXPECT_EQ(t.observe(350, false, kNoBound).increment, 250u);
  EXPECT_EQ(t.total(), 350u);
}

TEST(WrapTracker, AVisibleWrapCountsOnceEvenWithTheOverflowBit) {
  // The kernel's case: an interval read at 200 before the wrap, then the
  // counter wraps to 10 with the bit set. True increment 66; the kernel adds
  // 2^8 on top (322).
  WrapTracker t(8);
  t.observe(200, false, kNoBound);
  const WrapTracker::Step step = t.observe(10, true, 300);
  EXPECT_EQ(step.increment, 66u);
  EXPECT_FALSE(step.ambiguous);
  EXPECT_EQ(t.total(), 266u);
}

TEST(WrapTracker, OverflowBitWithoutAVisibleWrapAddsOneLap) {
  WrapTracker t(8);
  t.observe(10, false, kNoBound);
  EXPECT_EQ(t.observe(30, true, 400).increment, 276u);   // 20 + 256
  EXPECT_EQ(t.observe(30, true, 300).increment, 256u);   // exactly one lap
  EXPECT_EQ(t.total(), 10u + 276u + 256u);
}

TEST(WrapTracker, OverflowBitWithNoRoomForALapIsLeftOverFromAWrapAlreadyCounted) {
  // Without freeze, the status can be read just before a wrap and the value
  // just after: the next observation sees the bit with no visible wrap. In
  // 50 increments at most there is no room for a lap of 256.
  WrapTracker t(8);
  t.observe(250, false, kNoBound);
  EXPECT_EQ(t.observe(5, false, 50).increment, 11u);    // bit missed, wrap visible
  EXPECT_EQ(t.observe(20, true, 50).increment, 15u);    // the stale bit adds nothing
}

TEST(WrapTracker, AmbiguousWhenAnotherLapFitsTheBound) {
  WrapTracker t(8);
  t.observe(0, false, kNoBound);
  WrapTracker::Step step = t.observe(10, true, 600);
  EXPECT_EQ(step.increment, 266u);
  EXPECT_TRUE(step.ambiguous);   // 522 would fit in 600 as well
  step = t.observe(20, true, 300);
  EXPECT_EQ(step.increment, 266u);
  EXPECT_FALSE(step.ambiguous);
  // Without the bit nothing crossed zero, whatever the bound.
  step = t.observe(40, false, kNoBound);
  EXPECT_EQ(step.increment, 20u);
  EXPECT_FALSE(step.ambiguous);
}

TEST(WrapTracker, ExactForEveryWidthAcrossManyWraps) {
  for (unsigned width : {1u, 7u, 8u, 16u, 32u, 48u, 63u, 64u}) {
    WrapTracker t(width);
    const std::uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
    std::uint64_t truth = 0;
    std::uint64_t raw = 0;
    // Steps of 0.3, 0.7 and 1.0 laps (capped for 64 bits), each observed.
    for (int i = 0; i < 30; ++i) {
      const std::uint64_t lap_part = (i % 3 == 0 ? mask / 10 * 3 : i % 3 == 1 ? mask / 10 * 7 : mask) + (i % 3 == 2);
      const std::uint64_t step = width == 64 ? lap_part / 2 : lap_part;
      const bool crossed = raw + step > mask || (width == 64 && raw > ~0ULL - step);
      raw = (raw + step) & mask;
      truth += step;
      EXPECT_EQ(t.observe(raw, crossed, step).increment, step) << "width " << width << " step " << i;
    }
    EXPECT_EQ(t.total(), truth) << "width " << width;
  }
}

TEST(WrapTracker, RebaseKeepsTheTotalAndResetClearsIt) {
  WrapTracker t(32);
  t.observe(1000, false, kNoBound);
  t.rebase(0);   // the counter was reprogrammed and zeroed
  t.observe(5, false, kNoBound);
  EXPECT_EQ(t.total(), 1005u);
  t.reset();
  EXPECT_EQ(t.total(), 0u);
  EXPECT_EQ(t.last_value(), 0u);
}

}  // namespace
}  // namespace cpmu
