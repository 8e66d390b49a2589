// A cpmu killed with SIGKILL leaves its CPMU counting: counters enabled,
// frozen by an overflow it never saw, overflow bits set. Its lock went with
// it (flock), so the next owner gets the CPMU as it was left and must take
// it over: program every counter it uses from scratch, count exactly from
// its own start, and leave nothing enabled when it stops.
#include <gtest/gtest.h>

#include "sim_rig.hpp"

namespace cpmu::test {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

TEST(StaleOwner, ACpmuLeftCountingByADeadOwnerIsReprogrammedAndCountsExactly) {
  SimRig rig;
  ASSERT_RIG(rig);
  sim::SimulatedMachine& m = rig.machine();
  const unsigned bir = rig.cpmu().block.bir;
  const std::uint64_t base = rig.cpmu().block.offset;
  // What the dead owner left: counter 1 counting reads with enable,
  // interrupt, freeze-on-overflow, edge and threshold 7, two counts from a
  // 48-bit wrap; counter 0 (clock) enabled and near a wrap too.
  ASSERT_TRUE(m.mmio_write(kEndpoint, bir, base + 0x208, 8, 0x0800'0000'0207'0f00));
  ASSERT_TRUE(m.mmio_write(kEndpoint, bir, base + 0xc08, 8, (1ULL << 48) - 2));
  ASSERT_TRUE(m.mmio_write(kEndpoint, bir, base + 0x200, 8, 0x0000'0000'0100'0700));
  ASSERT_TRUE(m.mmio_write(kEndpoint, bir, base + 0xc00, 8, (1ULL << 48) - 1000));
  rig.advance(2 * kMs);
  ASSERT_NE(m.mmio_read(kEndpoint, bir, base + 0x010, 8).value(), 0u) << "overflowed, as left";
  ASSERT_NE(m.mmio_read(kEndpoint, bir, base + 0x018, 8).value(), 0u) << "frozen by it, as left";

  auto backend = rig.open({request("clock_ticks", kClockTicks), request("memrd", kMemRd)});
  ASSERT_TRUE(backend) << backend.error().message();
  ASSERT_TRUE((*backend)->start());
  const std::uint64_t clock0 = rig.truth(kClockTicks);
  const std::uint64_t reads0 = rig.truth(kMemRd);
  rig.advance(5 * kMs);
  const std::vector<CountValue> values = values_of(**backend);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].raw, rig.truth(kClockTicks) - clock0);
  EXPECT_EQ(values[1].raw, rig.truth(kMemRd) - reads0) << "edge and threshold of the dead owner are gone";
  EXPECT_TRUE(values[0].trusted) << values[0].doubt;
  EXPECT_TRUE(values[1].trusted) << values[1].doubt;

  ASSERT_TRUE((*backend)->stop());
  for (unsigned counter : {0u, 1u}) {
    const std::uint64_t config = m.mmio_read(kEndpoint, bir, base + 0x200 + 8 * counter, 8).value();
    EXPECT_EQ(config & (1u << 8), 0u) << "counter " << counter << " left enabled";
  }
  EXPECT_EQ(m.mmio_read(kEndpoint, bir, base + 0x018, 8).value(), 0u) << "left frozen";
}

}  // namespace
}  // namespace cpmu::test
