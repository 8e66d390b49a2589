// read_cpmu_capabilities() over a register image. Register values are
// assembled by hand from facts §2.2-2.4 (the QEMU fork's CPMU, §6.2).
#include "cpmu/cpmu_capabilities.hpp"
#include "cpmu/platform.hpp"

#include <gtest/gtest.h>

#include <map>

namespace cpmu {
namespace {

class RegisterImage final : public Mmio {
 public:
  std::map<std::uint64_t, std::uint64_t> regs;   // 64-bit registers by offset
  std::uint64_t size() const override { return 0xe00; }
  std::uint32_t read32(std::uint64_t offset) override {
    return static_cast<std::uint32_t>(read64(offset & ~7ULL) >> (8 * (offset & 4)));
  }
  std::uint64_t read64(std::uint64_t offset) override {
    auto it = regs.find(offset);
    return it == regs.end() ? 0 : it->second;
  }
  void write32(std::uint64_t, std::uint32_t) override {}
  void write64(std::uint64_t, std::uint64_t) override {}
};

// 4 counters (field 3), width 48, 4 event caps (field 3), HDM filter, MSI 6,
// writable-when-frozen, freeze, interrupt, version 1.
constexpr std::uint64_t kQemuForkCap = 0x1007600100303003ULL;

RegisterImage qemu_fork_cpmu() {
  RegisterImage image;
  image.regs[0x000] = kQemuForkCap;
  image.regs[0x100] = 0x1e98000000000001ULL;   // VID 0x1E98 GID 0x00 mask 0x1
  image.regs[0x108] = 0x1e980010000000ffULL;   // GID 0x10 mask 0xFF
  image.regs[0x110] = 0x1e980012000000ffULL;   // GID 0x12 mask 0xFF
  image.regs[0x118] = 0x19e50000000000ffULL;   // VID 0x19E5
  image.regs[0x200] = 0x0000000001000001ULL;   // fixed, events 0x1, group index 0
  image.regs[0x208] = 0x08000000ff000002ULL;   // configurable
  image.regs[0x210] = 0x08000000ff000002ULL;
  image.regs[0x218] = 0x0800000008000001ULL;   // fixed, events 0x8, group index 1
  return image;
}

TEST(CpmuCapabilities, DecodesEveryCapabilityField) {
  auto image = qemu_fork_cpmu();
  auto caps = read_cpmu_capabilities(image);
  ASSERT_TRUE(caps) << caps.error().message();
  EXPECT_EQ(caps->raw, kQemuForkCap);
  EXPECT_EQ(caps->counter_count, 4u);
  EXPECT_EQ(caps->counter_width, 48u);
  EXPECT_EQ(caps->event_capability_count, 4u);
  EXPECT_EQ(caps->filters, 0x1);
  EXPECT_TRUE(caps->hdm_filter());
  EXPECT_FALSE(caps->channel_rank_bank_filter());
  EXPECT_EQ(caps->interrupt_message, 6u);
  EXPECT_TRUE(caps->writable_when_frozen);
  EXPECT_TRUE(caps->freeze);
  EXPECT_TRUE(caps->interrupt);
  EXPECT_EQ(caps->version, 1u);
}

TEST(CpmuCapabilities, DecodesEventCapabilitiesAndTheCounterTable) {
  auto image = qemu_fork_cpmu();
  auto caps = read_cpmu_capabilities(image);
  ASSERT_TRUE(caps);
  ASSERT_EQ(caps->event_capabilities.size(), 4u);
  EXPECT_EQ(caps->event_capabilities[1].vendor_id, 0x1e98);
  EXPECT_EQ(caps->event_capabilities[1].group_id, 0x10);
  EXPECT_EQ(caps->event_capabilities[1].supported_events, 0xffu);
  EXPECT_EQ(caps->event_capabilities[3].vendor_id, 0x19e5);
  ASSERT_EQ(caps->counters.size(), 4u);
  EXPECT_EQ(caps->counters[0].type, CounterType::kFixed);
  EXPECT_EQ(caps->counters[0].events, 0x1u);
  EXPECT_EQ(caps->counters[0].event_group_index, 0u);
  EXPECT_EQ(caps->counters[1].type, CounterType::kConfigurable);
  EXPECT_EQ(caps->counters[1].events, 0u);   // only meaningful for fixed and free-running
  EXPECT_EQ(caps->counters[3].type, CounterType::kFixed);
  EXPECT_EQ(caps->counters[3].events, 0x8u);
  EXPECT_EQ(caps->counters[3].event_group_index, 1u);
}

TEST(CpmuCapabilities, FreeRunningAndReservedCounterTypes) {
  auto image = qemu_fork_cpmu();
  image.regs[0x208] = 0x1000000004000000ULL;   // free-running, events 0x4, group index 2
  image.regs[0x210] = 0x0000000000000003ULL;   // reserved type
  auto caps = read_cpmu_capabilities(image);
  ASSERT_TRUE(caps);
  EXPECT_EQ(caps->counters[1].type, CounterType::kFreeRunning);
  EXPECT_EQ(caps->counters[1].events, 0x4u);
  EXPECT_EQ(caps->counters[1].event_group_index, 2u);
  EXPECT_EQ(caps->counters[2].type, CounterType::kReserved);
  EXPECT_EQ(counter_type_name(CounterType::kFreeRunning), "free-running");
}

TEST(CpmuCapabilities, MaximumCountsDecodeTo64CountersAnd32EventCaps) {
  RegisterImage image;
  image.regs[0x000] = 0x0000000001f0403fULL;   // counters field 63, width 0x40, event caps field 31
  for (unsigned n = 0; n < 64; ++n) image.regs[0x200 + 8 * n] = 2;
  auto caps = read_cpmu_capabilities(image);
  ASSERT_TRUE(caps) << caps.error().message();
  EXPECT_EQ(caps->counter_count, 64u);
  EXPECT_EQ(caps->counter_width, 64u);
  EXPECT_EQ(caps->event_capability_count, 32u);
  EXPECT_EQ(caps->filters, 0);
  EXPECT_FALSE(caps->interrupt);
}

TEST(CpmuCapabilities, AllOnesIsADeviceThatIsGone) {
  RegisterImage image;
  image.regs[0x000] = ~0ULL;
  auto caps = read_cpmu_capabilities(image);
  ASSERT_FALSE(caps);
  EXPECT_EQ(caps.error().code(), Errc::kDeviceGone);
}

TEST(CpmuCapabilities, ImpossibleWidthAndDanglingGroupIndexAreMalformed) {
  auto zero_width = qemu_fork_cpmu();
  zero_width.regs[0x000] = kQemuForkCap & ~0xff00ULL;
  auto caps = read_cpmu_capabilities(zero_width);
  ASSERT_FALSE(caps);
  EXPECT_EQ(caps.error().code(), Errc::kMalformed);
  auto dangling = qemu_fork_cpmu();
  dangling.regs[0x218] = 0x2000000008000001ULL;   // fixed, group index 4 of 4 caps
  caps = read_cpmu_capabilities(dangling);
  ASSERT_FALSE(caps);
  EXPECT_NE(caps.error().message().find("counter 3 (fixed) names Event Capabilities register 4"), std::string::npos);
}

}  // namespace
}  // namespace cpmu
