#include "cxlsim/device_traffic.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cpmu::sim {
namespace {

__extension__ typedef unsigned __int128 Wide;

// Event keys written out from facts §3.3 (VID 0x1E98), not from the constants.
const EventKey kClockTicks{0x1e98, 0x0000, 0};
const EventKey kMemRd{0x1e98, 0x0020, 1};
const EventKey kMemInv{0x1e98, 0x0020, 0};
const EventKey kMemWr{0x1e98, 0x0021, 1};
const EventKey kMemWrPtl{0x1e98, 0x0021, 2};
const EventKey kNdrCmp{0x1e98, 0x0024, 0};
const EventKey kDrsMemData{0x1e98, 0x0025, 0};
const EventKey kDdrAct{0x1e98, 0x8000, 0};
const EventKey kDdrPre{0x1e98, 0x8000, 1};
const EventKey kDdrCasRd{0x1e98, 0x8000, 2};
const EventKey kDdrCasWr{0x1e98, 0x8000, 3};
const EventKey kDdrRefresh{0x1e98, 0x8000, 4};
const EventKey kVendor{0x1b36, 0x0001, 2};
const std::vector<EventKey> kDerived{kMemRd, kMemWr, kMemWrPtl, kNdrCmp, kDrsMemData,
                                     kDdrAct, kDdrPre, kDdrCasRd, kDdrCasWr, kDdrRefresh};
const FilterSelection kAll{};

FilterSelection decoder(std::uint32_t d) { return FilterSelection{d, std::nullopt}; }
FilterSelection channel(std::uint32_t c) { return FilterSelection{std::nullopt, c}; }

TrafficProfile idle() { return TrafficProfile{1'000'000'000, {}, {}, {}, 1, 1}; }

TrafficProfile steady(std::uint64_t reads_per_s, std::uint64_t writes_per_s, std::uint32_t permille) {
  TrafficProfile p = idle();
  p.phases = {{1'000'000, reads_per_s, writes_per_s, permille}};
  return p;
}

// A load with everything in it: uneven phases, two bursts, extras on a
// decoder-split and on a channel-split event.
TrafficProfile busy() {
  TrafficProfile p{1'600'000'000,
                   {{700'000'123, 900'000'000, 300'000'000, 125},
                    {299'999'877, 50'000'000, 700'000'000, 999},
                    {13, 3'000'000'000, 0, 0}},
                   {{250'000'000, 50'000'000, 400'000'000, 100'000'000}, {999'983, 17, 1'000, 0}},
                   {{kMemInv, 12'345'678}, {kDdrCasRd, 1'000'003}, {kVendor, 3'000'000}},
                   3,
                   2};
  return p;
}

TEST(DeviceTraffic, ClockTicksAreFlooredCyclesOfTheDeviceClock) {
  TrafficProfile p = idle();
  p.clock_hz = 400'000'000;
  const DeviceTraffic traffic(p);
  EXPECT_EQ(traffic.cycles(1001), 400u);        // 400.4
  EXPECT_EQ(traffic.cycles(1'000'000'000), 400'000'000u);
  EXPECT_EQ(traffic.cumulative(kClockTicks, kAll, 1001), 400u);
}

TEST(DeviceTraffic, ReadsIntegrateTheRepeatingPhases) {
  TrafficProfile p = idle();
  p.phases = {{1000, 1'000'000'000, 0, 0}, {3000, 200'000'000, 0, 0}};  // 1600 reads per 4000 ns
  const DeviceTraffic traffic(p);
  // Two periods (3200) + the first phase (1000) + 1500 ns at 0.2/ns (300).
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 10'500), 4500u);
  EXPECT_EQ(traffic.cumulative(kDrsMemData, kAll, 10'500), 4500u);
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 4), 4u);
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 1004), 1000u);  // 0.8 floors away
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 1005), 1001u);
}

TEST(DeviceTraffic, WritesSplitIntoFullAndPartialByPermille) {
  const DeviceTraffic traffic(steady(0, 100'000'000, 250));
  EXPECT_EQ(traffic.cumulative(kMemWr, kAll, 1'000'001), 75'000u);     // 75000.075
  EXPECT_EQ(traffic.cumulative(kMemWrPtl, kAll, 1'000'001), 25'000u);  // 25000.025
  EXPECT_EQ(traffic.cumulative(kNdrCmp, kAll, 1'000'001), 100'000u);
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 1'000'001), 0u);
}

TEST(DeviceTraffic, BurstsAddRateInsideTheirWindowsOnly) {
  TrafficProfile p = idle();
  p.bursts = {{1000, 100, 1'000'000'000, 500'000'000}};
  const DeviceTraffic traffic(p);
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 2050), 250u);   // 2 windows + 50 ns
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 2550), 300u);   // 3 whole windows
  EXPECT_EQ(traffic.cumulative(kMemWr, kAll, 2550), 150u);   // burst writes are full lines
  EXPECT_EQ(traffic.cumulative(kMemWrPtl, kAll, 2550), 0u);
}

TEST(DeviceTraffic, DdrEventsDeriveFromTheRequestStreams) {
  const DeviceTraffic traffic(steady(300'000'000, 100'000'000, 500));
  const std::uint64_t t = 1'000'000;  // 300000 reads, 50000 + 50000 writes
  EXPECT_EQ(traffic.cumulative(kDdrCasRd, kAll, t), 300'000u);
  EXPECT_EQ(traffic.cumulative(kDdrCasWr, kAll, t), 100'000u);
  EXPECT_EQ(traffic.cumulative(kDdrAct, kAll, t), 100'000u);
  EXPECT_EQ(traffic.cumulative(kDdrPre, kAll, t), 100'000u);
  EXPECT_EQ(traffic.cumulative(kDdrRefresh, kAll, t), 256u);  // 1e6 / 3900
}

TEST(DeviceTraffic, ExtraEventsAddToTheirKeyOnly) {
  TrafficProfile p = steady(1'000'000'000, 0, 0);
  p.extra = {{kVendor, 3'000'000}, {kMemRd, 500'000'000}, {kVendor, 1'000'000}};
  const DeviceTraffic traffic(p);
  EXPECT_EQ(traffic.cumulative(kVendor, kAll, 1'000'000), 4000u);
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 1'000'000), 1'500'000u);
  EXPECT_EQ(traffic.cumulative(EventKey{0x1b36, 0x0001, 3}, kAll, 1'000'000), 0u);
  EXPECT_EQ(traffic.cumulative(kMemInv, kAll, 1'000'000), 0u);
}

TEST(DeviceTraffic, HdmDecoderFilterSelectsARoundRobinShare) {
  TrafficProfile p = steady(1'000'000'000, 0, 0);
  p.hdm_decoders = 3;
  const DeviceTraffic traffic(p);
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 10), 10u);
  EXPECT_EQ(traffic.cumulative(kMemRd, decoder(0), 10), 4u);
  EXPECT_EQ(traffic.cumulative(kMemRd, decoder(1), 10), 3u);
  EXPECT_EQ(traffic.cumulative(kMemRd, decoder(2), 10), 3u);
  EXPECT_EQ(traffic.cumulative(kMemRd, decoder(3), 10), 0u);  // no such decoder
  EXPECT_EQ(traffic.cumulative(kMemRd, decoder(0xffff), 10), 0u);
  // The decoder filter does not apply to DDR or clock events, the channel filter not to M2S.
  EXPECT_EQ(traffic.cumulative(kDdrCasRd, decoder(1), 10), 10u);
  EXPECT_EQ(traffic.cumulative(kClockTicks, decoder(1), 10), 10u);
  EXPECT_EQ(traffic.cumulative(kMemRd, channel(7), 10), 10u);
}

TEST(DeviceTraffic, ChannelFilterUsesTheLowByteAndTotalsAreSumsOfChannels) {
  TrafficProfile p = steady(1'000'000'000, 0, 0);
  p.ddr_channels = 2;
  const DeviceTraffic traffic(p);
  EXPECT_EQ(traffic.cumulative(kDdrCasRd, channel(0), 14), 7u);
  EXPECT_EQ(traffic.cumulative(kDdrCasRd, channel(0xffffff01), 14), 7u);
  EXPECT_EQ(traffic.cumulative(kDdrCasRd, channel(2), 14), 0u);
  // Each channel activates once per 4 of its own accesses: 1 + 1, not 14 / 4.
  EXPECT_EQ(traffic.cumulative(kDdrAct, channel(1), 14), 1u);
  EXPECT_EQ(traffic.cumulative(kDdrAct, kAll, 14), 2u);
  EXPECT_EQ(traffic.cumulative(kDdrRefresh, kAll, 3 * 3900), 3u);
  EXPECT_EQ(traffic.cumulative(kDdrRefresh, channel(0), 3 * 3900), 2u);
  EXPECT_EQ(traffic.cumulative(kDdrRefresh, channel(1), 3 * 3900), 1u);
}

TEST(DeviceTraffic, SplittingOverDecodersAndChannelsKeepsLinearTotals) {
  TrafficProfile single = busy();
  single.hdm_decoders = 1;
  single.ddr_channels = 1;
  const DeviceTraffic split(busy());
  const DeviceTraffic whole(single);
  for (std::uint64_t t : {1ull, 999ull, 123'456'789ull, 86'400'000'000'000ull}) {
    for (const EventKey& key : {kMemRd, kMemInv, kMemWr, kMemWrPtl, kNdrCmp, kDrsMemData, kDdrCasRd, kDdrCasWr,
                                kDdrRefresh}) {
      EXPECT_EQ(split.cumulative(key, kAll, t), whole.cumulative(key, kAll, t)) << "gid " << key.gid << " t " << t;
    }
  }
}

TEST(DeviceTraffic, UnfilteredCountIsTheExactSumOfItsParts) {
  const DeviceTraffic traffic(busy());
  const std::vector<EventKey> keys{kMemRd, kMemInv, kMemWr, kMemWrPtl, kNdrCmp, kDrsMemData,
                                   kDdrAct, kDdrPre, kDdrCasRd, kDdrCasWr, kDdrRefresh};
  for (std::uint64_t t : {0ull, 1ull, 999ull, 123'456'789ull, 1'000'000'000'000ull, 86'400'000'000'000ull}) {
    for (const EventKey& key : keys) {
      const bool ddr = key.gid == 0x8000;
      std::uint64_t sum = 0;
      for (std::uint32_t part = 0; part < (ddr ? 2u : 3u); ++part) {
        sum += traffic.cumulative(key, ddr ? channel(part) : decoder(part), t);
      }
      EXPECT_EQ(sum, traffic.cumulative(key, kAll, t)) << "gid " << key.gid << " bit " << int(key.bit) << " t " << t;
    }
  }
}

TEST(DeviceTraffic, CountsAreMonotoneAndMutuallyConsistent) {
  const DeviceTraffic traffic(busy());
  std::vector<std::uint64_t> previous(kDerived.size(), 0);
  for (std::uint64_t t = 0; t < 3'000'000'000; t += 7'777'777) {
    for (std::size_t i = 0; i < kDerived.size(); ++i) {
      const std::uint64_t now = traffic.cumulative(kDerived[i], kAll, t);
      EXPECT_GE(now, previous[i]);
      previous[i] = now;
    }
    const std::uint64_t reads = traffic.cumulative(kMemRd, kAll, t);
    const std::uint64_t writes = traffic.cumulative(kMemWr, kAll, t) + traffic.cumulative(kMemWrPtl, kAll, t);
    EXPECT_EQ(traffic.cumulative(kDrsMemData, kAll, t), reads);
    EXPECT_EQ(traffic.cumulative(kNdrCmp, kAll, t), writes);
    EXPECT_EQ(traffic.cumulative(kDdrCasWr, kAll, t), writes);
  }
}

// Independent reference: walk the piecewise-constant rates segment by segment
// and accumulate exact integrals, as a device would over time.
class StepwiseReference {
 public:
  explicit StepwiseReference(const TrafficProfile& p) : p_(p) {}

  // Reads and full writes in [0, t]; t must not decrease between calls.
  void advance_to(std::uint64_t t) {
    std::uint64_t period = 0;
    for (const Phase& ph : p_.phases) period += ph.duration_ns;
    while (now_ < t) {
      std::uint64_t next = t;
      const std::uint64_t in_period = now_ % period;
      std::uint64_t start = 0;
      const Phase* phase = nullptr;
      for (const Phase& ph : p_.phases) {
        if (in_period < start + ph.duration_ns) {
          phase = &ph;
          next = std::min(next, now_ - in_period + start + ph.duration_ns);
          break;
        }
        start += ph.duration_ns;
      }
      Wide read_rate = phase->reads_per_s;
      Wide full_rate = Wide(phase->writes_per_s) * (1000 - phase->partial_write_permille);
      for (const Burst& b : p_.bursts) {
        const std::uint64_t in_window = now_ % b.period_ns;
        if (in_window < b.length_ns) {
          read_rate += b.extra_reads_per_s;
          full_rate += Wide(b.extra_writes_per_s) * 1000;
          next = std::min(next, now_ - in_window + b.length_ns);
        } else {
          next = std::min(next, now_ - in_window + b.period_ns);
        }
      }
      reads_ += read_rate * (next - now_);
      full_writes_ += full_rate * (next - now_);
      now_ = next;
    }
  }
  std::uint64_t reads() const { return static_cast<std::uint64_t>(reads_ / 1'000'000'000); }
  std::uint64_t full_writes() const { return static_cast<std::uint64_t>(full_writes_ / 1'000'000'000'000ull); }

 private:
  const TrafficProfile& p_;
  std::uint64_t now_ = 0;
  Wide reads_ = 0;
  Wide full_writes_ = 0;
};

TEST(DeviceTraffic, ClosedFormAtPetaNanosecondsMatchesStepwiseAccumulation) {
  TrafficProfile p = idle();
  // Long segments keep the reference walk short: ~10^5 segments up to 10^15 ns.
  p.phases = {{70'000'000'000, 900'000'000, 300'000'000, 125}, {30'000'000'001, 50'000'000, 700'000'000, 999}};
  p.bursts = {{25'000'000'000, 5'000'000'000, 400'000'000, 100'000'000}};
  const DeviceTraffic traffic(p);
  StepwiseReference reference(p);
  for (std::uint64_t t = 9'999'999'999'989ull; t <= 1'000'000'000'000'000ull; t += 9'999'999'999'989ull) {
    reference.advance_to(t);
    ASSERT_EQ(traffic.cumulative(kMemRd, kAll, t), reference.reads()) << "t " << t;
    ASSERT_EQ(traffic.cumulative(kMemWr, kAll, t), reference.full_writes()) << "t " << t;
  }
  reference.advance_to(1'000'000'000'000'000ull);
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 1'000'000'000'000'000ull), reference.reads());
}

TEST(DeviceTraffic, HundredYearsAtTheMaximumRateDoesNotOverflow) {
  TrafficProfile p = steady(4'000'000'000, 0, 0);
  p.clock_hz = 5'000'000'000;
  const DeviceTraffic traffic(p);
  const std::uint64_t hundred_years = 3'155'760'000'000'000'000ull;
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, hundred_years), 12'623'040'000'000'000'000ull);
  EXPECT_EQ(traffic.cycles(hundred_years), 15'778'800'000'000'000'000ull);
}

std::string error_of(const TrafficProfile& p) {
  const Status s = DeviceTraffic::validate(p);
  return s ? std::string("ok") : s.error().message();
}

TEST(DeviceTraffic, ValidateNamesTheBadField) {
  EXPECT_EQ(error_of(busy()), "ok");
  EXPECT_EQ(error_of(idle()), "ok");
  TrafficProfile p = idle();
  p.clock_hz = 0;
  EXPECT_EQ(error_of(p), "clock_hz 0 must be in 1..5000000000");
  p = steady(1, 1, 0);
  p.phases.push_back({0, 1, 1, 0});
  EXPECT_EQ(error_of(p), "phases[1].duration_ns must be > 0");
  p = steady(1, 1, 1001);
  EXPECT_EQ(error_of(p), "phases[0].partial_write_permille 1001 must be <= 1000");
  p = steady(3'000'000'000, 2'000'000'000, 0);
  EXPECT_EQ(error_of(p), "phases[0] rates (reads_per_s 3000000000 + writes_per_s 2000000000) exceed 4000000000/s");
  p = steady(1, 1, 0);
  p.phases.push_back({999'999'999'999'999'999ull, 1, 1, 0});
  EXPECT_EQ(error_of(p), "phases[1].duration_ns 999999999999999999: the phases add up to more than "
                         "1000000000000000000 ns");
  p = idle();
  p.bursts = {{100, 101, 1, 1}};
  EXPECT_EQ(error_of(p), "bursts[0].length_ns 101 must be in 1..period_ns (100)");
  p.bursts = {{0, 0, 1, 1}};
  EXPECT_EQ(error_of(p), "bursts[0].period_ns must be > 0");
  p = steady(3'000'000'000, 0, 0);
  p.bursts = {{100, 10, 500'000'000, 0}, {100, 10, 500'000'000, 1}};
  EXPECT_EQ(error_of(p), "bursts[1] raise the peak request rate to 4000000001/s, above 4000000000/s");
  p = idle();
  p.extra = {{kVendor, 1}, {EventKey{0x1b36, 1, 32}, 1}};
  EXPECT_EQ(error_of(p), "extra[1].key.bit 32 must be in 0..31");
  p.extra = {{kVendor, 4'000'000'001}};
  EXPECT_EQ(error_of(p), "extra[0].per_s 4000000001 exceeds 4000000000/s");
  p = idle();
  p.hdm_decoders = 0;
  EXPECT_EQ(error_of(p), "hdm_decoders 0 must be in 1..32");
  p = idle();
  p.ddr_channels = 257;
  EXPECT_EQ(error_of(p), "ddr_channels 257 must be in 1..256");
}

TEST(DeviceTraffic, AnInvalidProfileCountsNothingInsteadOfCrashing) {
  TrafficProfile p = steady(1'000'000'000, 0, 0);
  p.hdm_decoders = 0;  // would divide by zero
  const DeviceTraffic traffic(p);
  EXPECT_EQ(traffic.cumulative(kMemRd, kAll, 1000), 0u);
  EXPECT_EQ(traffic.cycles(1000), 0u);
}

TEST(AggregateTraffic, SumsChildrenButTicksItsOwnClock) {
  const DeviceTraffic a(steady(1'000'000'000, 0, 0));
  TrafficProfile pb = steady(500'000'000, 0, 0);
  pb.hdm_decoders = 2;
  const DeviceTraffic b(pb);
  const AggregateTraffic port({&a, &b}, 250'000'000);
  EXPECT_EQ(port.cumulative(kMemRd, kAll, 1000), 1500u);
  EXPECT_EQ(port.cumulative(kMemRd, decoder(1), 1000), 250u);  // a has decoder 0 only
  EXPECT_EQ(port.cumulative(kClockTicks, kAll, 1000), 250u);
  EXPECT_EQ(port.cycles(1000), 250u);
  const AggregateTraffic top({&port, &a}, 1'000'000'000);
  EXPECT_EQ(top.cumulative(kMemRd, kAll, 1000), 2500u);
}

TEST(AggregateTraffic, ValidateRejectsNullChildrenAndBadClocks) {
  const DeviceTraffic a(idle());
  EXPECT_TRUE(AggregateTraffic::validate({&a}, 1'000'000'000));
  EXPECT_EQ(AggregateTraffic::validate({&a, nullptr}, 1'000'000'000).error().message(), "children[1] is null");
  EXPECT_EQ(AggregateTraffic::validate({&a}, 0).error().message(), "clock_hz 0 must be in 1..5000000000");
}

}  // namespace
}  // namespace cpmu::sim
