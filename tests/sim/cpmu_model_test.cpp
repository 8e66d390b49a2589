// CpmuModel tests. Register offsets and field positions are written out from
// facts §2.1-2.6 (cap 0x000, overflow 0x010, freeze 0x018, event caps
// 0x100 + 8n, counter config 0x200 + 8n, filters 0x400 + 4(f + 8n), counter
// values 0xC00 + 8n), never taken from the regs constants under test.
#include "cxlsim/cpmu_model.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cxlsim/device_traffic.hpp"

namespace cpmu::sim {
namespace {

__extension__ typedef unsigned __int128 Wide;

constexpr std::uint64_t kEnable = 1ull << 8;
constexpr std::uint64_t kIntOnOverflow = 1ull << 9;
constexpr std::uint64_t kFreezeOnOverflow = 1ull << 10;
constexpr std::uint64_t kEdge = 1ull << 11;
constexpr std::uint64_t kInvert = 1ull << 12;

constexpr std::uint64_t cfg_at(unsigned n) { return 0x200 + 8 * n; }
constexpr std::uint64_t value_at(unsigned n) { return 0xc00 + 8 * n; }
constexpr std::uint64_t filter_at(unsigned n, unsigned f) { return 0x400 + 4 * (f + 8 * n); }

// Counter configuration: group index 63:59, events 55:24, threshold 23:16.
constexpr std::uint64_t config(std::uint64_t group, std::uint64_t events, std::uint64_t flags,
                               std::uint64_t threshold = 0) {
  return group << 59 | events << 24 | threshold << 16 | flags;
}

const EventKey kClockTicks{0x1e98, 0x0000, 0};
const EventKey kMemRd{0x1e98, 0x0020, 1};
const EventKey kNdrCmp{0x1e98, 0x0024, 0};
const EventKey kDdrCasRd{0x1e98, 0x8000, 2};

// Index 0 clock ticks, 1 M2S Req (MemInv, MemRd), 2 M2S RwD (MemWr, MemWrPtl), 3 DDR.
std::vector<EventCapSpec> standard_caps() {
  return {{0x1e98, 0x0000, 0x1}, {0x1e98, 0x0020, 0x3}, {0x1e98, 0x0021, 0x6}, {0x1e98, 0x8000, 0x1f}};
}

std::vector<CounterSpec> configurable(unsigned count) {
  return std::vector<CounterSpec>(count, CounterSpec{CounterKind::kConfigurable});
}

CpmuSpec spec_with(unsigned width, std::vector<CounterSpec> counters) {
  return CpmuSpec{width, standard_caps(), std::move(counters), true, true, true, 1, true, true, 1};
}

TrafficProfile reads_at(std::uint64_t reads_per_s, std::uint64_t clock_hz = 1'000'000'000) {
  return TrafficProfile{clock_hz, {{1'000'000, reads_per_s, 0, 0}}, {}, {}, 1, 1};
}

// A model with its traffic; raises records every interrupt.
struct Rig {
  explicit Rig(CpmuSpec spec, TrafficProfile profile = reads_at(1'000'000'000))
      : traffic(std::move(profile)),
        model(std::move(spec), traffic, [this](unsigned msi, std::uint64_t wraps) { raises.insert(raises.end(), wraps, msi); }) {}
  std::uint64_t read(std::uint64_t offset, std::uint64_t now = 0) { return model.read(offset, 8, now); }
  void write(std::uint64_t offset, std::uint64_t value, std::uint64_t now = 0) { model.write(offset, 8, value, now); }

  DeviceTraffic traffic;
  std::vector<unsigned> raises;
  CpmuModel model;
};

TEST(CpmuModel, CapabilityEncodesTheSpec) {
  CpmuSpec a = spec_with(48, configurable(4));
  a.event_caps.resize(3);
  a.channel_rank_bank_filter = false;
  Rig rig_a(a);
  EXPECT_EQ(rig_a.read(0x000), 0x1007100100203003u);
  EXPECT_EQ(rig_a.model.read(0x000, 4, 0), 0x00203003u);
  EXPECT_EQ(rig_a.model.read(0x004, 4, 0), 0x10071001u);

  CpmuSpec b{64, std::vector<EventCapSpec>(32, EventCapSpec{0x1e98, 0, 1}), configurable(64), true, true, false,
             15, false, false, 0};
  Rig rig_b(b);
  EXPECT_EQ(rig_b.read(0x000), 0x0000f00301f0403fu);

  CpmuSpec c{8, {{0x1e98, 0, 1}}, configurable(1), false, false, false, 0, false, false, 0};
  Rig rig_c(c);
  EXPECT_EQ(rig_c.read(0x000), 0x0000000000000800u);
}

TEST(CpmuModel, EventCapabilitiesEncodeVendorGroupAndMask) {
  CpmuSpec spec = spec_with(48, configurable(1));
  spec.event_caps = {{0x1e98, 0x0000, 0x1}, {0x1e98, 0x0020, 0xffff}, {0x1b36, 0x0001, 0xf}};
  Rig rig(spec);
  EXPECT_EQ(rig.read(0x100), 0x1e98000000000001u);
  EXPECT_EQ(rig.read(0x108), 0x1e9800200000ffffu);
  EXPECT_EQ(rig.read(0x110), 0x1b3600010000000fu);
  EXPECT_EQ(rig.model.read(0x10c, 4, 0), 0x1e980020u);
  EXPECT_EQ(rig.read(0x118), 0u);  // no fourth capability
}

TEST(CpmuModel, CounterConfigurationResetShowsTypeAndHardWiredEvents) {
  Rig rig(spec_with(48, {{CounterKind::kFixed, 2, 0x6}, {CounterKind::kFreeRunning, 0, 0x1},
                         {CounterKind::kConfigurable, 3, 0x1f}}));
  EXPECT_EQ(rig.read(cfg_at(0)), 0x1000000006000001u);
  EXPECT_EQ(rig.read(cfg_at(1)), 0x0000000001000000u);
  EXPECT_EQ(rig.read(cfg_at(2)), 0x0000000000000002u);
}

TEST(CpmuModel, ReadOnlyFieldsAndRegistersIgnoreWrites) {
  Rig rig(spec_with(48, {{CounterKind::kFixed, 2, 0x6}, {CounterKind::kFreeRunning, 0, 0x1},
                         {CounterKind::kConfigurable}}));
  const std::uint64_t cap = rig.read(0x000);
  rig.write(0x000, ~0ull);
  rig.write(0x108, 0);
  EXPECT_EQ(rig.read(0x000), cap);
  EXPECT_EQ(rig.read(0x108), 0x1e98002000000003u);
  for (unsigned n = 0; n < 3; ++n) rig.write(cfg_at(n), ~0ull);
  // Writable everywhere: enable, int, freeze-on-overflow, edge, invert (12:8), threshold (23:16).
  EXPECT_EQ(rig.read(cfg_at(0)), 0x1000000006ff1f01u);
  EXPECT_EQ(rig.read(cfg_at(1)), 0x0000000001ff1f00u);
  // Configurable: also events (55:24) and group index (63:59); reserved bits stay 0.
  EXPECT_EQ(rig.read(cfg_at(2)), 0xf8ffffffffff1f02u);
  rig.write(cfg_at(0), 0);
  EXPECT_EQ(rig.read(cfg_at(0)), 0x1000000006000001u);
}

TEST(CpmuModel, ReservedSpaceReadsZeroAndBadAccessesReadAllOnes) {
  Rig rig(spec_with(48, configurable(2)));
  EXPECT_EQ(rig.read(0x008), 0u);
  EXPECT_EQ(rig.read(0x020), 0u);
  EXPECT_EQ(rig.read(0x1f8), 0u);         // event cap 31 absent
  EXPECT_EQ(rig.read(cfg_at(2)), 0u);     // counter 2 absent
  EXPECT_EQ(rig.read(value_at(63)), 0u);
  EXPECT_EQ(rig.model.read(filter_at(2, 0), 4, 0), 0u);
  EXPECT_EQ(rig.model.read(0x002, 4, 0), 0xffffffffu);  // misaligned
  EXPECT_EQ(rig.model.read(0x004, 8, 0), ~0ull);
  EXPECT_EQ(rig.model.read(0xe00, 4, 0), 0xffffffffu);  // outside the block
  EXPECT_EQ(rig.model.read(0xdfc, 8, 0), ~0ull);
  EXPECT_EQ(rig.model.read(0xfffffffffffffff8ull, 8, 0), ~0ull);
  EXPECT_EQ(rig.model.read(0x000, 2, 0), ~0ull);        // unsupported size
  rig.model.write(cfg_at(0) + 4, 8, ~0ull, 0);
  rig.model.write(cfg_at(0), 1, ~0ull, 0);
  EXPECT_EQ(rig.read(cfg_at(0)), 0x2u);
}

TEST(CpmuModel, OverflowStatusIsWriteOneToClear) {
  Rig rig(spec_with(8, configurable(3)));
  for (unsigned n = 0; n < 3; ++n) rig.write(cfg_at(n), config(1, 0x2, kEnable));
  EXPECT_EQ(rig.read(0x010, 300), 0x7u);
  rig.write(0x010, 0x5, 300);
  EXPECT_EQ(rig.read(0x010, 300), 0x2u);
  rig.model.write(0x014, 4, 0xffffffff, 300);
  EXPECT_EQ(rig.read(0x010, 300), 0x2u);
  rig.model.write(0x010, 4, 0x2, 300);
  EXPECT_EQ(rig.read(0x010, 300), 0x0u);
}

TEST(CpmuModel, FreezeRegisterKeepsOnlyBitsOfImplementedCounters) {
  Rig rig(spec_with(48, configurable(4)));
  rig.write(0x018, ~0ull);
  EXPECT_EQ(rig.read(0x018), 0xfu);
  rig.write(0x018, 0);
  rig.model.write(0x01c, 4, 0xffffffff, 0);
  EXPECT_EQ(rig.read(0x018), 0u);
  rig.model.write(0x018, 4, 0x5, 0);
  EXPECT_EQ(rig.read(0x018), 0x5u);
}

TEST(CpmuModel, FrozenCounterDoesNotCount) {
  Rig rig(spec_with(48, configurable(2)));
  rig.write(cfg_at(0), config(1, 0x2, kEnable));
  rig.write(cfg_at(1), config(1, 0x2, kEnable));
  rig.write(0x018, 0x1, 100);
  EXPECT_EQ(rig.read(value_at(0), 200), 100u);
  rig.write(0x018, 0x0, 300);
  EXPECT_EQ(rig.read(value_at(0), 350), 150u);
  EXPECT_EQ(rig.read(value_at(1), 350), 350u);
}

TEST(CpmuModel, WithoutFreezeSupportTheFreezeRegisterReadsZeroAndDoesNothing) {
  CpmuSpec spec = spec_with(48, configurable(1));
  spec.freeze = false;
  Rig rig(spec);
  rig.write(cfg_at(0), config(1, 0x2, kEnable));
  rig.write(0x018, ~0ull, 100);
  EXPECT_EQ(rig.read(0x018, 100), 0u);
  EXPECT_EQ(rig.read(value_at(0), 200), 200u);
}

TEST(CpmuModel, FreeRunningCounterCountsWithoutEnableButStopsWhenFrozen) {
  Rig rig(spec_with(48, {{CounterKind::kFreeRunning, 0, 0x1}, {CounterKind::kFixed, 1, 0x2}}));
  EXPECT_EQ(rig.read(value_at(0), 1000), 1000u);
  EXPECT_EQ(rig.read(value_at(1), 1000), 0u);  // fixed counters need enable
  rig.write(cfg_at(1), kEnable, 1000);
  rig.write(0x018, 0x1, 1000);
  EXPECT_EQ(rig.read(value_at(0), 2000), 1000u);
  EXPECT_EQ(rig.read(value_at(1), 2000), 1000u);
}

TEST(CpmuModel, WritesWhileFrozenAreIgnoredUnlessWritableWhenFrozen) {
  for (const bool writable : {false, true}) {
    CpmuSpec spec = spec_with(48, configurable(1));
    spec.writable_when_frozen = writable;
    Rig rig(spec);
    rig.write(0x018, 0x1);
    rig.write(value_at(0), 0x1234);
    rig.write(cfg_at(0), config(1, 0x2, kEnable));
    rig.model.write(filter_at(0, 0), 4, 7, 0);
    EXPECT_EQ(rig.read(value_at(0)), writable ? 0x1234u : 0u);
    EXPECT_EQ(rig.read(cfg_at(0)), writable ? 0x0800000002000102u : 0x2u);
    EXPECT_EQ(rig.model.read(filter_at(0, 0), 4, 0), writable ? 7u : 0xffffffffu);
  }
}

TEST(CpmuModel, FiltersResetToAllOnesAndTolerate64BitWrites) {
  Rig rig(spec_with(48, configurable(2)));
  for (unsigned n = 0; n < 2; ++n) {
    for (unsigned f = 0; f < 8; ++f) EXPECT_EQ(rig.model.read(filter_at(n, f), 4, 0), 0xffffffffu);
  }
  EXPECT_EQ(rig.read(0x400), ~0ull);
  // v6.5 kernels wrote filter 0 with a 64-bit write, putting 0 into filter 1.
  rig.write(0x400, 0x2);
  EXPECT_EQ(rig.model.read(0x400, 4, 0), 0x2u);
  EXPECT_EQ(rig.model.read(0x404, 4, 0), 0x0u);
  rig.model.write(0x424, 4, 0x12345678, 0);  // counter 1, filter 1
  EXPECT_EQ(rig.read(0x420), 0x12345678ffffffffu);
}

TEST(CpmuModel, CounterValueHalvesAreAccessibleAndMaskedToTheWidth) {
  Rig rig(spec_with(48, configurable(1)));
  rig.model.write(0xc04, 4, 0xdeadbeef, 0);
  EXPECT_EQ(rig.read(0xc00), 0x0000beef00000000u);
  EXPECT_EQ(rig.model.read(0xc04, 4, 0), 0xbeefu);
  rig.model.write(0xc00, 4, 0x1234, 0);
  EXPECT_EQ(rig.read(0xc00), 0x0000beef00001234u);
  rig.write(0xc00, ~0ull);
  EXPECT_EQ(rig.read(0xc00), 0x0000ffffffffffffu);
}

TEST(CpmuModel, CountsMatchGroundTruthAcrossWrapsForEveryWidth) {
  TrafficProfile profile{1'000'000'000, {{5000, 1'000'000'000, 0, 0}, {3000, 300'000'000, 0, 0}},
                         {{7777, 500, 2'000'000'000, 0}}, {}, 1, 1};
  for (const unsigned width : {8u, 16u, 32u, 48u, 64u}) {
    SCOPED_TRACE(width);
    Rig rig(spec_with(width, configurable(2)), profile);
    const Wide modulus = Wide(1) << width;
    const std::uint64_t preload = width >= 32 ? static_cast<std::uint64_t>(modulus - 999) : 0;
    rig.write(value_at(0), preload);
    rig.write(cfg_at(0), config(1, 0x2, kEnable | kIntOnOverflow));
    rig.write(cfg_at(1), config(0, 0x1, kEnable));
    std::uint64_t t = 0;
    std::uint64_t interrupts = 0;
    Wide previous_wraps = 0;
    for (unsigned k = 1; k <= 60; ++k) {
      t += 1 + (std::uint64_t{k} * k * 7919) % 40'000;
      const Wide reads = Wide(preload) + rig.model.ground_truth(kMemRd, {}, t);
      const Wide ticks = rig.model.ground_truth(kClockTicks, {}, t);
      ASSERT_EQ(rig.read(value_at(0), t), static_cast<std::uint64_t>(reads % modulus)) << "t " << t;
      ASSERT_EQ(rig.read(value_at(1), t), static_cast<std::uint64_t>(ticks % modulus)) << "t " << t;
      interrupts += static_cast<std::uint64_t>(reads / modulus - previous_wraps);
      previous_wraps = reads / modulus;
      const std::uint64_t overflow = (reads >= modulus ? 1u : 0u) | (ticks >= modulus ? 2u : 0u);
      ASSERT_EQ(rig.read(0x010, t), overflow) << "t " << t;
    }
    EXPECT_GE(interrupts, 1u);
    EXPECT_EQ(rig.raises, std::vector<unsigned>(interrupts, 1u));
  }
}

// However late the sync, each wrap raises its own interrupt: a late service
// must be able to tell three wraps from one.
TEST(CpmuModel, ManyWrapsInOneSyncKeepTheValueExactAndRaiseOneInterruptEach) {
  Rig rig(spec_with(8, configurable(1)));
  rig.write(cfg_at(0), config(1, 0x2, kEnable | kIntOnOverflow));
  EXPECT_EQ(rig.read(value_at(0), 1000), 232u);  // 1000 mod 256
  EXPECT_EQ(rig.read(0x010, 1000), 1u);
  EXPECT_EQ(rig.raises, std::vector<unsigned>(3, 1u));   // 1000 / 256 = 3 wraps
}

TEST(CpmuModel, InterruptsNeedCapabilityAndIntOnOverflow) {
  CpmuSpec spec = spec_with(8, configurable(2));
  spec.interrupt = false;
  Rig without_cap(spec);
  without_cap.write(cfg_at(0), config(1, 0x2, kEnable | kIntOnOverflow));
  EXPECT_EQ(without_cap.read(0x010, 1000), 1u);
  EXPECT_TRUE(without_cap.raises.empty());
  Rig without_bit(spec_with(8, configurable(1)));
  without_bit.write(cfg_at(0), config(1, 0x2, kEnable));
  EXPECT_EQ(without_bit.read(0x010, 1000), 1u);
  EXPECT_TRUE(without_bit.raises.empty());
}

TEST(CpmuModel, MultiBitMaskCountsTheSumOfSupportedEventsOnly) {
  TrafficProfile profile{1'000'000'000, {{1000, 1'000'000'000, 500'000'000, 200}}, {}, {}, 1, 1};
  CpmuSpec spec = spec_with(48, configurable(2));
  spec.event_caps[1].mask = 0x1;  // M2S Req: MemInv only, MemRd not countable
  Rig rig(spec, profile);
  rig.write(cfg_at(0), config(2, 0x6, kEnable));   // MemWr + MemWrPtl
  rig.write(cfg_at(1), config(1, 0xff, kEnable));  // asks for MemRd too
  EXPECT_EQ(rig.read(value_at(0), 1000), 500u);
  EXPECT_EQ(rig.model.ground_truth(kNdrCmp, {}, 1000), 500u);
  EXPECT_EQ(rig.read(value_at(1), 1000), 0u);
}

TEST(CpmuModel, HdmFilterSelectsOneDecoderWhenSupported) {
  TrafficProfile profile = reads_at(1'000'000'000);
  profile.hdm_decoders = 3;
  for (const bool supported : {true, false}) {
    CpmuSpec spec = spec_with(48, configurable(3));
    spec.hdm_filter = supported;
    Rig rig(spec, profile);
    for (unsigned n = 0; n < 3; ++n) rig.write(cfg_at(n), config(1, 0x2, kEnable));
    rig.model.write(filter_at(0, 0), 4, 1, 0);
    rig.model.write(filter_at(1, 0), 4, 0xffff, 0);  // v6.5's "disabled" value: decoder 65535
    EXPECT_EQ(rig.read(value_at(0), 10), supported ? 3u : 10u);
    EXPECT_EQ(rig.read(value_at(1), 10), supported ? 0u : 10u);
    EXPECT_EQ(rig.read(value_at(2), 10), 10u);
  }
}

TEST(CpmuModel, ChannelFilterSelectsOneChannelWhenSupported) {
  TrafficProfile profile = reads_at(1'000'000'000);
  profile.ddr_channels = 2;
  for (const bool supported : {true, false}) {
    CpmuSpec spec = spec_with(48, configurable(1));
    spec.channel_rank_bank_filter = supported;
    Rig rig(spec, profile);
    rig.write(cfg_at(0), config(3, 0x4, kEnable));  // DDR CAS rd
    rig.model.write(filter_at(0, 1), 4, 1, 0);
    EXPECT_EQ(rig.read(value_at(0), 14), supported ? 7u : 14u);
    EXPECT_EQ(rig.model.ground_truth(kDdrCasRd, FilterSelection{std::nullopt, 1}, 14), 7u);
  }
}

TEST(CpmuModel, GroupIndexWithoutCapabilityCountsNothing) {
  Rig rig(spec_with(48, configurable(1)));
  rig.write(cfg_at(0), config(5, 0x1, kEnable));
  EXPECT_EQ(rig.read(value_at(0), 1000), 0u);
}

// Ten intervals of 10 cycles with 27 events each: q = 2 events per cycle, and
// r = 7 cycles get a third, in min(7, 3) = 3 runs (docs/simulator-model.md).
TEST(CpmuModel, ThresholdEdgeAndInvertFollowTheDocumentedCycleModel) {
  struct Case {
    std::uint64_t flags;
    std::uint64_t threshold;
    std::uint64_t after_first;
    std::uint64_t after_second;
  };
  const std::vector<Case> cases{
      {0, 0, 27, 54},              // plain event count
      {0, 2, 10, 20},              // every cycle has >= 2
      {0, 3, 7, 14},               // the r cycles with 3
      {0, 4, 0, 0},                // never 4
      {kInvert, 3, 3, 6},          // the cycles with only 2
      {kEdge, 3, 3, 6},            // runs of 3-event cycles; each starts after a 2-event cycle
      {kEdge, 2, 1, 1},            // always true: one rising edge, then none
      {kEdge | kInvert, 3, 3, 6},  // runs of 2-event cycles; the interval ends on a 3
      {kInvert, 0, 0, 0},          // threshold 0 means >= 1, always true, inverted
      {kEdge, 0, 1, 1},
  };
  Rig rig(spec_with(48, configurable(static_cast<unsigned>(cases.size()))), reads_at(2'700'000'000));
  for (unsigned n = 0; n < cases.size(); ++n) {
    rig.write(cfg_at(n), config(1, 0x2, kEnable | cases[n].flags, cases[n].threshold));
  }
  for (unsigned n = 0; n < cases.size(); ++n) EXPECT_EQ(rig.read(value_at(n), 10), cases[n].after_first) << n;
  for (unsigned n = 0; n < cases.size(); ++n) EXPECT_EQ(rig.read(value_at(n), 20), cases[n].after_second) << n;
}

// The documented definition, cycle by cycle, including intervals with no
// whole cycle whose events wait for the next one.
struct CycleReference {
  std::uint64_t threshold;
  bool edge;
  bool invert;
  std::uint64_t base_events = 0;
  std::uint64_t base_cycles = 0;
  bool previous = false;
  std::uint64_t value = 0;

  void sync(std::uint64_t events, std::uint64_t cycles) {
    if (threshold == 0 && !edge && !invert) {
      value += events - base_events;
      base_events = events;
      return;
    }
    const std::uint64_t c = cycles - base_cycles;
    if (c == 0) return;
    const std::uint64_t d = events - base_events;
    for (std::uint64_t j = 0; j < c; ++j) {
      const std::uint64_t in_cycle = (j + 1) * d / c - j * d / c;
      const bool condition = (in_cycle >= std::max<std::uint64_t>(threshold, 1)) != invert;
      value += edge ? (condition && !previous) : condition;
      previous = condition;
    }
    base_events = events;
    base_cycles = cycles;
  }
};

TEST(CpmuModel, CycleModelMatchesACycleByCycleReference) {
  TrafficProfile profile{400'000'000, {{3000, 1'300'000'000, 0, 0}, {2000, 200'000'000, 0, 0}}, {}, {}, 1, 1};
  std::vector<CycleReference> refs;
  for (std::uint64_t threshold = 0; threshold <= 5; ++threshold) {
    for (const bool edge : {false, true}) {
      for (const bool invert : {false, true}) refs.push_back({threshold, edge, invert});
    }
  }
  Rig rig(spec_with(64, configurable(static_cast<unsigned>(refs.size()))), profile);
  for (unsigned n = 0; n < refs.size(); ++n) {
    const std::uint64_t flags = kEnable | (refs[n].edge ? kEdge : 0) | (refs[n].invert ? kInvert : 0);
    rig.write(cfg_at(n), config(1, 0x2, flags, refs[n].threshold));
  }
  const std::uint64_t steps[] = {1, 1, 2, 7, 13, 40, 3, 250, 1, 1, 1, 90, 611};
  std::uint64_t t = 0;
  for (unsigned k = 0; k < 400; ++k) {
    t += steps[k % std::size(steps)];
    rig.model.sync(t);
    for (unsigned n = 0; n < refs.size(); ++n) {
      refs[n].sync(rig.traffic.cumulative(kMemRd, {}, t), rig.traffic.cycles(t));
      ASSERT_EQ(rig.read(value_at(n), t), refs[n].value) << "counter " << n << " t " << t;
    }
  }
}

TEST(CpmuModel, StuckCounterStopsChanging) {
  Rig rig(spec_with(48, configurable(1)));
  rig.write(cfg_at(0), config(1, 0x2, kEnable));
  rig.model.sync(100);
  rig.model.set_stuck(0, true);
  EXPECT_EQ(rig.read(value_at(0), 200), 100u);
  rig.write(value_at(0), 0, 200);
  EXPECT_EQ(rig.read(value_at(0), 300), 100u);
  rig.model.set_stuck(0, false);
  EXPECT_EQ(rig.read(value_at(0), 400), 200u);
  rig.model.set_stuck(7, true);  // no such counter: ignored
}

TEST(CpmuModel, FreezeOnOverflowFreezesEveryCounterAtTheWrapInstant) {
  Rig rig(spec_with(8, configurable(2)), reads_at(300'000'000));  // 0.3 reads/ns
  rig.write(value_at(0), 200);
  rig.write(cfg_at(0), config(1, 0x2, kEnable | kFreezeOnOverflow | kIntOnOverflow));
  rig.write(cfg_at(1), config(0, 0x1, kEnable));
  // 56 more reads wrap counter 0: floor(0.3 t) reaches 56 at t = 187 ns.
  EXPECT_EQ(rig.model.ground_truth(kMemRd, {}, 186), 55u);
  EXPECT_EQ(rig.read(value_at(1), 1000), 187u);
  EXPECT_EQ(rig.read(value_at(0), 1000), 0u);
  EXPECT_EQ(rig.read(0x018, 1000), 0x3u);
  EXPECT_EQ(rig.read(0x010, 1000), 0x1u);
  EXPECT_EQ(rig.raises, std::vector<unsigned>{1});
  EXPECT_EQ(rig.read(value_at(1), 5000), 187u);
  rig.write(0x018, 0, 5000);
  EXPECT_EQ(rig.read(value_at(0), 5100), 30u);   // 1530 - 1500 reads
  EXPECT_EQ(rig.read(value_at(1), 5100), 31u);   // 287 mod 256
  EXPECT_EQ(rig.read(0x010, 5100), 0x3u);
  EXPECT_EQ(rig.raises.size(), 1u);
}

TEST(CpmuModel, FreezeOnOverflowDoesNothingWithoutFreezeSupport) {
  CpmuSpec spec = spec_with(8, configurable(2));
  spec.freeze = false;
  Rig rig(spec, reads_at(300'000'000));
  rig.write(value_at(0), 200);
  rig.write(cfg_at(0), config(1, 0x2, kEnable | kFreezeOnOverflow));
  rig.write(cfg_at(1), config(0, 0x1, kEnable));
  EXPECT_EQ(rig.read(value_at(1), 250), 250u);
  EXPECT_EQ(rig.read(value_at(0), 250), 19u);  // 200 + 75 - 256
  EXPECT_EQ(rig.read(0x018, 250), 0u);
}

TEST(CpmuModel, GroundTruthAndRegistersRestartAtReset) {
  Rig rig(spec_with(48, configurable(1)));
  rig.write(cfg_at(0), config(1, 0x2, kEnable));
  rig.model.write(filter_at(0, 0), 4, 0, 0);
  EXPECT_EQ(rig.model.ground_truth(kMemRd, {}, 1000), 1000u);
  rig.model.reset(1000);
  EXPECT_EQ(rig.model.ground_truth(kMemRd, {}, 1500), 500u);
  EXPECT_EQ(rig.read(cfg_at(0), 1500), 0x2u);
  EXPECT_EQ(rig.read(value_at(0), 1500), 0u);
  EXPECT_EQ(rig.model.read(filter_at(0, 0), 4, 1500), 0xffffffffu);
}

TEST(CpmuModel, TimeNeverRunsBackwards) {
  Rig rig(spec_with(48, configurable(1)));
  rig.write(cfg_at(0), config(1, 0x2, kEnable));
  EXPECT_EQ(rig.read(value_at(0), 100), 100u);
  EXPECT_EQ(rig.read(value_at(0), 50), 100u);
  EXPECT_EQ(rig.read(value_at(0), 150), 150u);
}

std::string error_of(const CpmuSpec& spec) {
  const Status s = CpmuModel::validate(spec);
  return s ? std::string("ok") : s.error().message();
}

TEST(CpmuModel, ValidateNamesTheField) {
  EXPECT_EQ(error_of(spec_with(48, configurable(4))), "ok");
  EXPECT_EQ(error_of(spec_with(0, configurable(1))), "width 0 must be in 1..64");
  EXPECT_EQ(error_of(spec_with(65, configurable(1))), "width 65 must be in 1..64");
  EXPECT_EQ(error_of(spec_with(48, configurable(0))), "counters has 0 entries; a CPMU has 1..64");
  EXPECT_EQ(error_of(spec_with(48, configurable(65))), "counters has 65 entries; a CPMU has 1..64");
  CpmuSpec spec = spec_with(48, configurable(4));
  spec.event_caps.clear();
  EXPECT_EQ(error_of(spec), "event_caps has 0 entries; a CPMU has 1..32");
  spec = spec_with(48, configurable(4));
  spec.counters[3].event_cap_index = 5;
  EXPECT_EQ(error_of(spec), "counters[3].event_cap_index 5 >= 4 event capabilities");
  spec = spec_with(48, {{CounterKind::kFixed, 1, 0x4}});
  EXPECT_EQ(error_of(spec), "counters[0].events_mask 0x4 is not within event_caps[1].mask 0x3");
  spec = spec_with(48, {{CounterKind::kFreeRunning, 0, 0}});
  EXPECT_EQ(error_of(spec), "counters[0].events_mask must be non-zero for a hard-wired counter");
  spec = spec_with(48, {{static_cast<CounterKind>(7)}});
  EXPECT_EQ(error_of(spec), "counters[0].kind 7 is not a counter kind");
  spec = spec_with(48, configurable(1));
  spec.msi_number = 16;
  EXPECT_EQ(error_of(spec), "msi_number 16 must be in 0..15");
  spec = spec_with(48, configurable(1));
  spec.version = 16;
  EXPECT_EQ(error_of(spec), "version 16 must be in 0..15");
}

TEST(CpmuModel, AnInvalidSpecReadsAllOnesAndIgnoresWrites) {
  Rig rig(spec_with(0, configurable(1)));
  EXPECT_EQ(rig.read(0x000), ~0ull);
  rig.write(0x018, 1);
  EXPECT_EQ(rig.model.read(0x018, 4, 0), 0xffffffffu);
  rig.model.sync(1000);
  rig.model.set_stuck(0, true);
}

}  // namespace
}  // namespace cpmu::sim
