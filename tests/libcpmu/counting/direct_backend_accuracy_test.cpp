// The direct backend against the simulator's ground truth, in virtual time:
// exact totals for every width with interrupts and with polling, every kind
// of counter, multi-bit masks, filters, edge/invert/threshold, the group
// index, and multiplexed estimates.
#include <gtest/gtest.h>
#include <poll.h>

#include <cmath>

#include "sim_rig.hpp"

namespace cpmu::test {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

// Ground truth since a baseline, for each request.
struct Truth {
  Truth(SimRig& r, std::vector<CountRequest> q) : rig(r), requests(std::move(q)) {}
  SimRig& rig;
  std::vector<CountRequest> requests;
  std::vector<std::uint64_t> base;
  void mark() {
    base.clear();
    for (const CountRequest& r : requests) base.push_back(rig.truth(r.event));
  }
  std::uint64_t since_mark(std::size_t i) { return rig.truth(requests[i].event) - base[i]; }
};

class DirectBackendWidth : public ::testing::TestWithParam<unsigned> {};

// Reads wrap the narrow widths about every 2.5 ms, so at most once per 1 ms
// simulator tick; the loop services every interrupt and reads three times in
// a row (several reads per wrap), then not for 7 ms (several wraps per read).
TEST_P(DirectBackendWidth, ExactWithInterruptsAcrossWrapsAndIntervalReads) {
  const unsigned width = GetParam();
  const std::uint64_t reads_per_s = width <= 22 ? (std::uint64_t{1} << width) * 400 : 3'900'000'000;
  CpmuTopology t;
  t.width = width;
  t.counters = R"({"kind": "configurable"}, {"kind": "configurable"}, {"kind": "configurable"})";
  t.traffic = steady_traffic(reads_per_s, reads_per_s / 40, 200);
  SimRig rig(t);
  ASSERT_RIG(rig);
  Truth truth{rig, {request("m2s_req_memrd", kMemRd), request("writes", spec_event(0x0021, 0x6)),
                    request("s2m_drs_memdata", kDrsMemData)}};
  auto backend = rig.open(truth.requests);
  ASSERT_TRUE(backend) << backend.error().message();
  CounterBackend& b = **backend;
  ASSERT_EQ(b.service_fds().size(), 1u);
  EXPECT_EQ(b.service_period(), std::chrono::nanoseconds::zero());   // interrupts suffice
  ASSERT_TRUE(b.start());
  truth.mark();

  const int steps = width == 32 ? 2500 : 200;
  unsigned reads = 0;
  for (int step = 1; step <= steps; ++step) {
    rig.advance(kMs);
    if (readable(b.service_fds()[0])) {
      ASSERT_TRUE(b.service());
    }
    if (step % 10 >= 3) continue;
    std::vector<CountValue> values = values_of(b);
    ASSERT_EQ(values.size(), 3u);
    for (std::size_t i = 0; i < values.size(); ++i) {
      ASSERT_EQ(values[i].raw, truth.since_mark(i)) << "width " << width << " request " << i << " step " << step;
      ASSERT_TRUE(values[i].trusted) << values[i].doubt;
      EXPECT_EQ(values[i].state, CountState::kCounted);
    }
    ++reads;
  }
  EXPECT_GT(reads, 0u);
  if (width < 48) {
    // It did wrap, many times.
    EXPECT_GE(truth.since_mark(0) >> width, 2u);
    EXPECT_GE(rig.machine().interrupt_count(kEndpoint, 1).value(), 2u);
  }
}

INSTANTIATE_TEST_SUITE_P(Widths, DirectBackendWidth, ::testing::Values(8u, 16u, 32u, 48u, 64u),
                         [](const ::testing::TestParamInfo<unsigned>& param) {
                           return "Width" + std::to_string(param.param);
                         });

// The same CPMU without freeze: snapshots are read counter by counter, and
// multiplexed counters are reprogrammed while they run.
TEST(DirectBackendWidth16, ExactWithoutFreezeIncludingRotation) {
  CpmuTopology t;
  t.width = 16;
  t.freeze = false;
  t.counters = R"({"kind": "configurable"}, {"kind": "configurable"})";
  t.traffic = steady_traffic(20'000'000, 10'000'000, 0);
  SimRig rig(t);
  ASSERT_RIG(rig);
  Truth truth{rig, {request("m2s_req_memrd", kMemRd), request("s2m_drs_memdata", kDrsMemData)}};
  auto backend = rig.open(truth.requests);
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  ASSERT_TRUE(b.start());
  truth.mark();
  for (int step = 0; step < 100; ++step) {
    rig.advance(kMs);
    if (readable(b.service_fds()[0])) {
      ASSERT_TRUE(b.service());
    }
  }
  std::vector<CountValue> values = values_of(b);
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i].raw, truth.since_mark(i));
    EXPECT_TRUE(values[i].trusted) << values[i].doubt;
  }
  EXPECT_TRUE(rig.platform().writes->size() > 0);
  for (const MmioWrite& w : *rig.platform().writes) EXPECT_NE(w.offset, 0x018u) << "Freeze written";

  // Three requests on two counters: rotation reprograms running counters.
  SimRig rotating(t);
  ASSERT_RIG(rotating);
  Truth truth3{rotating, {request("m2s_req_memrd", kMemRd), request("s2m_drs_memdata", kDrsMemData),
                          request("m2s_rwd_memwr", kMemWr)}};
  DirectBackendOptions options = rotating.options();
  options.rotation_period = std::chrono::milliseconds(1);
  auto multiplexed = rotating.open(truth3.requests, options);
  ASSERT_TRUE(multiplexed);
  ASSERT_TRUE((*multiplexed)->start());
  truth3.mark();
  for (int step = 0; step < 300; ++step) {
    rotating.advance(kMs);
    ASSERT_TRUE((*multiplexed)->service());
  }
  values = values_of(**multiplexed);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double exact = static_cast<double>(truth3.since_mark(i));
    EXPECT_NEAR(*values[i].estimate(), exact, exact * 0.01) << i;
    EXPECT_TRUE(values[i].trusted) << values[i].doubt;
  }
}

// Interrupts only help if someone takes them: with several pending at one
// read and a wrap seen, the value is flagged rather than one lap short.
TEST(DirectBackendWidth8, UnservicedInterruptsLeaveSeveralWrapsPerReadInDoubt) {
  CpmuTopology t;
  t.width = 8;
  t.counters = R"({"kind": "configurable"})";
  t.traffic = steady_traffic(100'000, 0, 0);   // a wrap every 2.56 ms
  SimRig rig(t);
  ASSERT_RIG(rig);
  auto backend = rig.open({request("m2s_req_memrd", kMemRd)});
  ASSERT_TRUE(backend);
  ASSERT_TRUE((*backend)->start());
  for (int step = 0; step < 20; ++step) rig.advance(kMs);
  const CountValue v = values_of(**backend)[0];
  EXPECT_FALSE(v.trusted);
  // 7 wraps, 7 interrupts, one bit: 6 interrupts no seen wrap explains.
  EXPECT_EQ(v.doubt.rfind("6 overflow interrupt(s) more than the wraps seen arrived while this 8-bit counter "
                          "wrapped",
                          0),
            0u)
      << v.doubt;
}

// A CPMU without interrupts: 32-bit counters, one at the highest read rate
// (wraps every 1.1 s), one barely moving, and the fixed clock.
CpmuTopology polling_topology() {
  CpmuTopology t;
  t.width = 32;
  t.interrupt = false;
  t.traffic = steady_traffic(3'900'000'000, 1000, 0);
  return t;
}

TEST(DirectBackendPolling, ExactWhenServicedWithinTheServicePeriod) {
  SimRig rig(polling_topology());
  ASSERT_RIG(rig);
  Truth truth{rig, {request("clock_ticks", kClockTicks), request("m2s_req_memrd", kMemRd),
                    request("m2s_rwd_memwr", kMemWr)}};
  auto backend = rig.open(truth.requests);
  ASSERT_TRUE(backend) << backend.error().message();
  CounterBackend& b = **backend;
  EXPECT_TRUE(b.service_fds().empty());
  ASSERT_TRUE(b.start());
  truth.mark();
  const std::chrono::nanoseconds assumed = b.service_period();
  EXPECT_GT(assumed.count(), 0);
  std::uint64_t elapsed = 0;
  while (elapsed < 3'000 * kMs) {
    const auto period = static_cast<std::uint64_t>(b.service_period().count());
    rig.advance(period);
    elapsed += period;
    ASSERT_TRUE(b.service());
  }
  // Once the clock was measured (1 GHz), the period grew from the 5 GHz assumption.
  EXPECT_GT(b.service_period(), assumed);
  std::vector<CountValue> values = values_of(b);
  ASSERT_EQ(values.size(), 3u);
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i].raw, truth.since_mark(i)) << i;
    EXPECT_TRUE(values[i].trusted) << values[i].doubt;
  }
  EXPECT_GT(truth.since_mark(1) >> 32, 1u);   // the read counter wrapped twice or more
}

TEST(DirectBackendPolling, FlaggedWhenAWrapHappensInALongerGapAndOnlyThen) {
  SimRig rig(polling_topology());
  ASSERT_RIG(rig);
  Truth truth{rig, {request("clock_ticks", kClockTicks), request("m2s_req_memrd", kMemRd),
                    request("m2s_rwd_memwr", kMemWr)}};
  auto backend = rig.open(truth.requests);
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  ASSERT_TRUE(b.start());
  truth.mark();
  for (int i = 0; i < 10; ++i) {   // calibrates the clock
    rig.advance(static_cast<std::uint64_t>(b.service_period().count()));
    ASSERT_TRUE(b.service());
  }
  rig.advance(2'500 * kMs);   // far beyond the period; reads wrap twice
  ASSERT_TRUE(b.service());
  std::vector<CountValue> values = values_of(b);
  ASSERT_EQ(values.size(), 3u);
  EXPECT_FALSE(values[1].trusted);
  EXPECT_NE(values[1].doubt.find("may have wrapped more than once"), std::string::npos) << values[1].doubt;
  EXPECT_NE(values[1].raw, truth.since_mark(1));
  // The clock cannot have lapped a 32-bit counter in 2.5 s, and the writes
  // never wrapped: both provably exact.
  EXPECT_TRUE(values[0].trusted) << values[0].doubt;
  EXPECT_EQ(values[0].raw, truth.since_mark(0));
  EXPECT_TRUE(values[2].trusted) << values[2].doubt;
  EXPECT_EQ(values[2].raw, truth.since_mark(2));
  // The doubt stays with the total.
  rig.advance(kMs);
  ASSERT_TRUE(b.service());
  EXPECT_FALSE(values_of(b)[1].trusted);
}

TEST(DirectBackendPolling, PlatformWithoutInterruptDeliveryFallsBackToPolling) {
  SimRig rig;   // the CPMU has interrupts, the platform cannot deliver them
  ASSERT_RIG(rig);
  rig.platform().refuse_interrupts = true;
  auto backend = rig.open({request("m2s_req_memrd", kMemRd)});
  ASSERT_TRUE(backend);
  EXPECT_TRUE((*backend)->service_fds().empty());
  EXPECT_GT((*backend)->service_period().count(), 0);
}

TEST(DirectBackendKinds, FixedConfigurableAndFreeRunningCountersWithMasksAndFilters) {
  CpmuTopology t;
  t.event_caps = R"({"vid": "0x1e98", "gid": "0x0000", "mask": "0x1"},
                    {"vid": "0x1e98", "gid": "0x0020", "mask": "0x1f"},
                    {"vid": "0x1e98", "gid": "0x0021", "mask": "0x36"},
                    {"vid": "0x1e98", "gid": "0x8000", "mask": "0x1f"})";
  t.counters = R"({"kind": "fixed", "cap": 0, "mask": "0x1"},
                  {"kind": "free_running", "cap": 3, "mask": "0x4"},
                  {"kind": "free_running", "cap": 2, "mask": "0x6"},
                  {"kind": "configurable"}, {"kind": "configurable"},
                  {"kind": "configurable"}, {"kind": "configurable"})";
  t.filters = R"("hdm", "channel_rank_bank")";
  t.hdm_decoders = 4;
  t.ddr_channels = 4;
  t.traffic = steady_traffic(10'000'000, 5'000'000, 300);
  SimRig rig(t);
  ASSERT_RIG(rig);
  rig.advance(7 * kMs);   // free-running counters are already counting
  EventSelection memrd_hdm2 = kMemRd;
  memrd_hdm2.hdm_decoder = 2;
  EventSelection casrd_channel1 = kDdrCasRd;
  casrd_channel1.channel_rank_bank = 1;
  Truth truth{rig,
              {request("clock_ticks", kClockTicks), request("ddr_casrd", kDdrCasRd),
               request("memwr+memwrptl", spec_event(0x0021, 0x6)), request("memrd hdm=2", memrd_hdm2),
               request("ddr_casrd channel 1", casrd_channel1), request("m2s_req 0x1e", spec_event(0x0020, 0x1e)),
               request("m2s_rwd_memwr", kMemWr)}};
  auto backend = rig.open(truth.requests);
  ASSERT_TRUE(backend) << backend.error().message();
  CounterBackend& b = **backend;
  const std::vector<Placement> expected = {Placement::kFixed,        Placement::kFreeRunning,
                                           Placement::kFreeRunning,  Placement::kConfigurable,
                                           Placement::kConfigurable, Placement::kConfigurable,
                                           Placement::kConfigurable};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(b.plan().counts[i].placement, expected[i]) << i;
  ASSERT_TRUE(b.start());
  truth.mark();
  for (int step = 0; step < 50; ++step) {
    rig.advance(kMs);
    ASSERT_TRUE(b.service());
  }
  std::vector<CountValue> values = values_of(b);
  ASSERT_EQ(values.size(), expected.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i].raw, truth.since_mark(i)) << truth.requests[i].label;
    EXPECT_GT(values[i].raw, 0u) << truth.requests[i].label;
    EXPECT_TRUE(values[i].trusted) << values[i].doubt;
    EXPECT_EQ(values[i].time_enabled_ns, 50 * kMs);
    EXPECT_EQ(values[i].time_running_ns, 50 * kMs);
  }
  // The filters selected a part of the traffic, not all of it.
  EXPECT_LT(values[3].raw, rig.truth(kMemRd) / 2);
  EXPECT_LT(values[4].raw, values[1].raw);
}

// Cycle-mode counting as docs/simulator-model.md defines it: per device
// cycle, the condition "events >= max(threshold, 1)", negated by invert;
// edge counts rising edges. With reads at 0.3 per cycle each cycle holds 0 or
// 1 read, so threshold 1 and edge count the reads and invert the idle cycles.
TEST(DirectBackendModifiers, EdgeInvertAndThresholdCountCyclesAsTheModelDefines) {
  CpmuTopology t;
  t.traffic = steady_traffic(300'000'000, 0, 0);
  SimRig rig(t);
  ASSERT_RIG(rig);
  EventSelection threshold1 = kMemRd, edge = kMemRd, invert = kMemRd;
  threshold1.threshold = 1;
  edge.edge = true;
  invert.invert = true;
  auto backend = rig.open({request("t1", threshold1), request("edge", edge), request("invert", invert),
                           request("clock_ticks", kClockTicks)});
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  ASSERT_TRUE(b.start());
  const std::uint64_t reads0 = rig.truth(kMemRd), cycles0 = rig.truth(kClockTicks);
  for (int step = 0; step < 20; ++step) {
    rig.advance(kMs);
    ASSERT_TRUE(b.service());
  }
  std::vector<CountValue> values = values_of(b);
  const std::uint64_t reads = rig.truth(kMemRd) - reads0, cycles = rig.truth(kClockTicks) - cycles0;
  EXPECT_EQ(values[0].raw, reads);
  EXPECT_EQ(values[1].raw, reads);
  EXPECT_EQ(values[2].raw, cycles - reads);
  EXPECT_EQ(values[3].raw, cycles);
  for (const CountValue& v : values) EXPECT_TRUE(v.trusted) << v.doubt;
}

// At 1.5 reads per cycle every cycle holds 1 or 2: threshold 2 counts the
// cycles with 2, which are reads - cycles.
TEST(DirectBackendModifiers, ThresholdAboveOneCountsTheCyclesReachingIt) {
  CpmuTopology t;
  t.traffic = steady_traffic(1'500'000'000, 0, 0);
  SimRig rig(t);
  ASSERT_RIG(rig);
  EventSelection threshold2 = kMemRd;
  threshold2.threshold = 2;
  auto backend = rig.open({request("t2", threshold2)});
  ASSERT_TRUE(backend);
  ASSERT_TRUE((*backend)->start());
  const std::uint64_t reads0 = rig.truth(kMemRd), cycles0 = rig.truth(kClockTicks);
  rig.advance(20 * kMs);
  std::vector<CountValue> values = values_of(**backend);
  EXPECT_EQ(values[0].raw, (rig.truth(kMemRd) - reads0) - (rig.truth(kClockTicks) - cycles0));
}

// The kernel programs Event Group ID Index 0 into every configurable counter
// (facts §2.7); here index 0 is the DDR group, whose bit 1 is ddr_pre, so the
// kernel would count DDR precharges instead of memory reads.
TEST(DirectBackendGroupIndex, ConfigurableCounterCountsTheGroupAtANonZeroCapabilityIndex) {
  CpmuTopology t;
  t.event_caps = R"({"vid": "0x1e98", "gid": "0x8000", "mask": "0x1f"},
                    {"vid": "0x1e98", "gid": "0x0020", "mask": "0x1f"})";
  t.counters = R"({"kind": "configurable"}, {"kind": "configurable"})";
  t.traffic = steady_traffic(10'000'000, 5'000'000, 0);
  SimRig rig(t);
  ASSERT_RIG(rig);
  auto backend = rig.open({request("m2s_req_memrd", kMemRd)});
  ASSERT_TRUE(backend);
  EXPECT_EQ((*backend)->plan().counts[0].event_capability, 1u);
  ASSERT_TRUE((*backend)->start());
  const std::uint64_t memrd0 = rig.truth(kMemRd), pre0 = rig.truth(kDdrPre);
  rig.advance(10 * kMs);
  const std::uint64_t counted = values_of(**backend)[0].raw;
  EXPECT_EQ(counted, rig.truth(kMemRd) - memrd0);
  EXPECT_NE(counted, rig.truth(kDdrPre) - pre0);
  // Bits 63:59 of counter 0's configuration hold index 1.
  const Cpmu& cpmu = rig.cpmu();
  const std::uint64_t config =
      rig.machine().mmio_read(kEndpoint, cpmu.block.bir, cpmu.block.offset + 0x200, 8).value();
  EXPECT_EQ(config >> 59, 1u);
}

// Six requests share two configurable counters (each on a counter a third of
// the time) while the fixed clock counter is never rotated. For steady
// traffic the scaled estimate is within 1% of the truth (the stated bound;
// the error is the rounding of whole events at slice edges).
TEST(DirectBackendMultiplexing, EstimatesOfSteadyTrafficAreWithinOnePercent) {
  CpmuTopology t;
  t.counters = R"({"kind": "fixed", "cap": 0, "mask": "0x1"}, {"kind": "configurable"}, {"kind": "configurable"})";
  t.traffic = steady_traffic(10'000'000, 6'000'000, 250);
  SimRig rig(t);
  ASSERT_RIG(rig);
  Truth truth{rig,
              {request("clock_ticks", kClockTicks), request("m2s_req_memrd", kMemRd), request("m2s_rwd_memwr", kMemWr),
               request("m2s_rwd_memwrptl", kMemWrPtl), request("s2m_ndr_cmp", kNdrCmp),
               request("s2m_drs_memdata", kDrsMemData), request("ddr_casrd", kDdrCasRd)}};
  DirectBackendOptions options = rig.options();
  options.rotation_period = std::chrono::milliseconds(10);
  auto backend = rig.open(truth.requests, options);
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  EXPECT_TRUE(b.plan().multiplexing);
  EXPECT_EQ(b.plan().counts[0].placement, Placement::kFixed);
  EXPECT_EQ(b.service_period(), std::chrono::milliseconds(10));
  ASSERT_TRUE(b.start());
  truth.mark();
  for (int step = 0; step < 100; ++step) {
    rig.advance(10 * kMs);
    ASSERT_TRUE(b.service());
  }
  rig.advance(3 * kMs);   // mid-slice
  std::vector<CountValue> values = values_of(b);
  ASSERT_EQ(values.size(), 7u);
  EXPECT_EQ(values[0].raw, truth.since_mark(0));
  EXPECT_EQ(values[0].time_running_ns, values[0].time_enabled_ns);
  for (std::size_t i = 1; i < values.size(); ++i) {
    const CountValue& v = values[i];
    EXPECT_EQ(v.state, CountState::kCounted);
    EXPECT_EQ(v.time_enabled_ns, 1003 * kMs);
    EXPECT_LT(v.time_running_ns, v.time_enabled_ns);
    EXPECT_NEAR(static_cast<double>(v.time_running_ns), 1003.0 * kMs / 3, 10.0 * kMs);
    ASSERT_TRUE(v.estimate());
    const double exact = static_cast<double>(truth.since_mark(i));
    EXPECT_NEAR(*v.estimate(), exact, exact * 0.01) << truth.requests[i].label;
    EXPECT_LT(v.raw, truth.since_mark(i));
    EXPECT_TRUE(v.trusted) << v.doubt;
  }
}

TEST(DirectBackendMultiplexing, ARequestThatHasNotRunYetIsNotCounted) {
  CpmuTopology t;
  t.counters = R"({"kind": "configurable"})";
  SimRig rig(t);
  ASSERT_RIG(rig);
  auto backend = rig.open({request("a", kMemRd), request("b", kDrsMemData)});
  ASSERT_TRUE(backend);
  ASSERT_TRUE((*backend)->start());
  rig.advance(kMs);
  std::vector<CountValue> values = values_of(**backend);
  EXPECT_EQ(values[0].state, CountState::kCounted);
  EXPECT_EQ(values[1].state, CountState::kNotCounted);
  EXPECT_EQ(values[1].time_running_ns, 0u);
  EXPECT_EQ(values[1].time_enabled_ns, kMs);
  EXPECT_FALSE(values[1].estimate());
}

}  // namespace
}  // namespace cpmu::test
