// plan_counts(): placement rules and the reasons given, from capabilities
// written out by hand.
#include "cpmu/counter_scheduler.hpp"

#include <gtest/gtest.h>

namespace cpmu {
namespace {

EventSelection ev(std::uint16_t gid, std::uint32_t mask) {
  EventSelection e;
  e.code = EventCode{kCxlVendorId, gid, mask};
  return e;
}
CountRequest req(EventSelection e) { return CountRequest{"r", e}; }

CounterInfo fixed(unsigned cap, std::uint32_t events) { return {CounterType::kFixed, events, cap}; }
CounterInfo free_running(unsigned cap, std::uint32_t events) { return {CounterType::kFreeRunning, events, cap}; }
CounterInfo configurable() { return {CounterType::kConfigurable, 0, 0}; }

// Capability 0: clock ticks; 1: DDR; 2: M2S requests; 3: M2S RwD.
CpmuCapabilities caps_with(std::vector<CounterInfo> counters) {
  CpmuCapabilities c;
  c.counter_width = 48;
  c.event_capabilities = {{kCxlVendorId, 0x0000, 0x1}, {kCxlVendorId, 0x8000, 0x1f}, {kCxlVendorId, 0x0020, 0x1f},
                          {kCxlVendorId, 0x0021, 0x36}};
  c.event_capability_count = 4;
  c.counters = std::move(counters);
  c.counter_count = static_cast<unsigned>(c.counters.size());
  return c;
}

TEST(CounterScheduler, ExactMatchGoesToTheFixedCounter) {
  CountPlan plan = plan_counts(caps_with({configurable(), fixed(0, 0x1)}), {req(ev(0x0000, 0x1))});
  ASSERT_EQ(plan.counts.size(), 1u);
  EXPECT_EQ(plan.counts[0].placement, Placement::kFixed);
  EXPECT_EQ(plan.counts[0].counter, 1u);
  EXPECT_EQ(plan.counts[0].event_capability, 0u);
  EXPECT_EQ(plan.counts[0].reason, "fixed counter 1 counts exactly this event");
  EXPECT_FALSE(plan.multiplexing);
}

TEST(CounterScheduler, ASecondRequestForTheFixedEventFallsBackToAConfigurableCounter) {
  CountPlan plan =
      plan_counts(caps_with({configurable(), fixed(0, 0x1)}), {req(ev(0x0000, 0x1)), req(ev(0x0000, 0x1))});
  EXPECT_EQ(plan.counts[0].placement, Placement::kFixed);
  EXPECT_EQ(plan.counts[1].placement, Placement::kConfigurable);
  EXPECT_EQ(plan.counts[1].counter, 0u);
  // The capability a fixed counter is wired to still serves configurable
  // counters (there is no other for clock ticks).
  EXPECT_EQ(plan.counts[1].event_capability, 0u);
}

TEST(CounterScheduler, ConfigurableCounterGetsTheMatchingCapabilitysOwnIndex) {
  CountPlan plan = plan_counts(caps_with({configurable(), configurable()}), {req(ev(0x0020, 0x2)), req(ev(0x0021, 0x6))});
  EXPECT_EQ(plan.counts[0].placement, Placement::kConfigurable);
  EXPECT_EQ(plan.counts[0].counter, 0u);
  EXPECT_EQ(plan.counts[0].event_capability, 2u);
  EXPECT_EQ(plan.counts[0].reason, "configurable counter 0, programmed with event capability 2 (group index 2)");
  EXPECT_EQ(plan.counts[1].counter, 1u);
  EXPECT_EQ(plan.counts[1].event_capability, 3u);
}

TEST(CounterScheduler, CapabilitiesWithoutAFixedCounterArePreferred) {
  CpmuCapabilities caps = caps_with({fixed(2, 0x1), configurable()});
  caps.event_capabilities.push_back({kCxlVendorId, 0x0020, 0x3});   // index 4, same group, not wired
  CountPlan plan = plan_counts(caps, {req(ev(0x0020, 0x2))});
  EXPECT_EQ(plan.counts[0].event_capability, 4u);
  // A mask only the wired capability supports still uses it.
  plan = plan_counts(caps, {req(ev(0x0020, 0x10))});
  EXPECT_EQ(plan.counts[0].event_capability, 2u);
}

TEST(CounterScheduler, FreeRunningCounterServesAnExactPlainRequest) {
  CountPlan plan = plan_counts(caps_with({free_running(1, 0x4), configurable()}), {req(ev(0x8000, 0x4))});
  EXPECT_EQ(plan.counts[0].placement, Placement::kFreeRunning);
  EXPECT_EQ(plan.counts[0].counter, 0u);
  EXPECT_EQ(plan.counts[0].reason, "free-running counter 0 counts exactly this event (read, never written)");
}

TEST(CounterScheduler, FixedIsPreferredOverFreeRunningForTheSameEvent) {
  CountPlan plan = plan_counts(caps_with({free_running(1, 0x4), fixed(1, 0x4)}), {req(ev(0x8000, 0x4))});
  EXPECT_EQ(plan.counts[0].placement, Placement::kFixed);
  EXPECT_EQ(plan.counts[0].counter, 1u);
}

TEST(CounterScheduler, ModifiersKeepARequestOffHardWiredCounters) {
  EventSelection edge = ev(0x0000, 0x1);
  edge.edge = true;
  CountPlan plan = plan_counts(caps_with({fixed(0, 0x1), configurable()}), {req(edge)});
  EXPECT_EQ(plan.counts[0].placement, Placement::kConfigurable);
  EXPECT_EQ(plan.counts[0].counter, 1u);

  EventSelection threshold = ev(0x8000, 0x4);
  threshold.threshold = 2;
  plan = plan_counts(caps_with({free_running(1, 0x4)}), {req(threshold)});
  EXPECT_EQ(plan.counts[0].placement, Placement::kNotSupported);
  EXPECT_EQ(plan.counts[0].reason,
            "this CPMU has no configurable counter; free-running counter 0 counts exactly this event, but its "
            "behaviour is hard-wired: threshold 2 needs a configurable counter");
}

TEST(CounterScheduler, MultiBitMaskMustLieWithinOneCapability) {
  CountPlan plan = plan_counts(caps_with({configurable()}), {req(ev(0x0021, 0x6)), req(ev(0x0021, 0x7))});
  EXPECT_EQ(plan.counts[0].placement, Placement::kConfigurable);
  EXPECT_EQ(plan.counts[1].placement, Placement::kNotSupported);
  EXPECT_EQ(plan.counts[1].reason,
            "mask 0x7 is not within the events of one Event Capabilities register: event capability 3 supports "
            "0x36 (bits 0x1 of the mask are not in it); no fixed or free-running counter counts exactly VID 0x1e98 "
            "GID 0x0021 mask 0x7");
}

TEST(CounterScheduler, UnknownGroupIsNotSupportedWithTheReason) {
  CountPlan plan = plan_counts(caps_with({configurable()}), {req(ev(0x0011, 0x2))});
  EXPECT_EQ(plan.counts[0].placement, Placement::kNotSupported);
  EXPECT_EQ(plan.counts[0].reason,
            "no Event Capabilities register of this CPMU has VID 0x1e98 GID 0x0011; no fixed or free-running counter "
            "counts exactly VID 0x1e98 GID 0x0011 mask 0x2");
}

TEST(CounterScheduler, FilterTheCpmuLacksIsNotSupportedNamingTheCapabilityBit) {
  EventSelection hdm = ev(0x0020, 0x2);
  hdm.hdm_decoder = 1;
  CountPlan plan = plan_counts(caps_with({configurable()}), {req(hdm)});
  EXPECT_EQ(plan.counts[0].placement, Placement::kNotSupported);
  EXPECT_EQ(plan.counts[0].reason, "HDM-decoder filter: this CPMU's capability register has filter bit 0 clear");

  EventSelection crb = ev(0x8000, 0x4);
  crb.channel_rank_bank = 2;
  plan = plan_counts(caps_with({configurable()}), {req(crb)});
  EXPECT_EQ(plan.counts[0].reason, "channel/rank/bank filter: this CPMU's capability register has filter bit 1 clear");
}

TEST(CounterScheduler, FiltersTheCpmuHasAreAccepted) {
  CpmuCapabilities caps = caps_with({configurable(), configurable()});
  caps.filters = 0x3;
  EventSelection hdm = ev(0x0020, 0x2);
  hdm.hdm_decoder = 1;
  EventSelection crb = ev(0x8000, 0x4);
  crb.channel_rank_bank = 2;
  CountPlan plan = plan_counts(caps, {req(hdm), req(crb)});
  EXPECT_EQ(plan.counts[0].placement, Placement::kConfigurable);
  EXPECT_EQ(plan.counts[1].placement, Placement::kConfigurable);
  // The register's "no filtering" value cannot be asked for as a selection.
  hdm.hdm_decoder = 0xffffffff;
  plan = plan_counts(caps, {req(hdm)});
  EXPECT_EQ(plan.counts[0].reason,
            "HDM-decoder filter: value 0xffffffff is the register's \"no filtering\" value, not a selection");
}

TEST(CounterScheduler, EmptyMaskIsNotSupported) {
  CountPlan plan = plan_counts(caps_with({configurable()}), {req(ev(0x0020, 0))});
  EXPECT_EQ(plan.counts[0].placement, Placement::kNotSupported);
  EXPECT_EQ(plan.counts[0].reason, "mask 0 selects no event");
}

TEST(CounterScheduler, NoConfigurableCounterLeavesOnlyExactHardWiredMatches) {
  CountPlan plan = plan_counts(caps_with({fixed(0, 0x1)}), {req(ev(0x0000, 0x1)), req(ev(0x0000, 0x1))});
  EXPECT_EQ(plan.counts[0].placement, Placement::kFixed);
  EXPECT_EQ(plan.counts[1].placement, Placement::kNotSupported);
  EXPECT_EQ(plan.counts[1].reason,
            "every counter that counts exactly VID 0x1e98 GID 0x0000 mask 0x1 is taken by an earlier request; this "
            "CPMU has no configurable counter");
}

TEST(CounterScheduler, MoreRequestsThanConfigurableCountersMultiplexAllOfThem) {
  CountPlan plan = plan_counts(caps_with({fixed(0, 0x1), configurable(), configurable()}),
                               {req(ev(0x0020, 0x1)), req(ev(0x0000, 0x1)), req(ev(0x0020, 0x2)),
                                req(ev(0x0021, 0x2)), req(ev(0x8000, 0x1))});
  EXPECT_TRUE(plan.multiplexing);
  EXPECT_EQ(plan.counts[1].placement, Placement::kFixed);   // never rotated
  const std::vector<std::size_t> pooled = {0, 2, 3, 4};
  for (std::size_t i : pooled) {
    EXPECT_EQ(plan.counts[i].placement, Placement::kMultiplexed) << i;
    EXPECT_EQ(plan.counts[i].reason,
              "4 requests share 2 configurable counters in rotation, through event capability " +
                  std::to_string(*plan.counts[i].event_capability) + "; values are scaled estimates");
  }
  // The first ones start on the counters.
  EXPECT_EQ(plan.counts[0].counter, 1u);
  EXPECT_EQ(plan.counts[2].counter, 2u);
  EXPECT_FALSE(plan.counts[3].counter);
  EXPECT_EQ(plan.counts[4].event_capability, 1u);
}

TEST(CounterScheduler, RateBoundIsOnePerCycleInCycleModeAndForClockTicks) {
  EventSelection memrd = ev(0x0020, 0x2);
  EXPECT_EQ(max_increments_per_cycle(memrd), kMaxEventsPerCyclePerBit);
  EXPECT_EQ(max_increments_per_cycle(ev(0x0021, 0x6)), 2 * kMaxEventsPerCyclePerBit);
  EXPECT_EQ(max_increments_per_cycle(ev(0x0000, 0x1)), 1u);
  memrd.threshold = 4;
  EXPECT_TRUE(counts_cycles(memrd));
  EXPECT_EQ(max_increments_per_cycle(memrd), 1u);
  memrd.threshold = 0;
  memrd.invert = true;
  EXPECT_EQ(max_increments_per_cycle(memrd), 1u);
}

}  // namespace
}  // namespace cpmu
