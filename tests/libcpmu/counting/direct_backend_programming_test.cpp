// What the direct backend writes into the CPMU, as literal register values
// (facts §2.4, §2.5), what it never writes, how many accesses a sample costs,
// and who may open a CPMU at all.
#include <gtest/gtest.h>
#include <unistd.h>

#include "sim_rig.hpp"

namespace cpmu::test {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

// Writes to one register (offset within the CPMU block), in order.
std::vector<std::uint64_t> writes_to(const WriteLog& log, std::uint64_t offset) {
  std::vector<std::uint64_t> values;
  for (const MmioWrite& w : log) {
    if (w.offset == offset) values.push_back(w.value);
  }
  return values;
}

std::uint64_t read_register(SimRig& rig, std::uint64_t offset, unsigned size = 8) {
  return rig.machine().mmio_read(kEndpoint, rig.cpmu().block.bir, rig.cpmu().block.offset + offset, size).value();
}

CpmuTopology with_hdm_filter() {
  CpmuTopology t;
  t.filters = R"("hdm")";
  t.hdm_decoders = 2;
  return t;
}

TEST(DirectBackendProgramming, EveryConfigurationFieldAndFilterIsWrittenExplicitly) {
  SimRig rig(with_hdm_filter());
  ASSERT_RIG(rig);
  EventSelection memrd = kMemRd;
  memrd.threshold = 3;
  memrd.edge = true;
  memrd.hdm_decoder = 1;
  auto backend = rig.open({request("clock_ticks", kClockTicks), request("memrd", memrd)});
  ASSERT_TRUE(backend);
  EXPECT_TRUE(rig.platform().writes->empty());   // nothing before start()
  ASSERT_TRUE((*backend)->start());
  const WriteLog& log = *rig.platform().writes;
  // Counter 1 (configurable): enable (8), int-on-overflow (9), edge (11),
  // threshold 3 (23:16), events 0x2 (55:24), group index 1 (63:59) for the
  // M2S request capability; freeze-on-overflow (10) and invert (12) clear.
  EXPECT_EQ(writes_to(log, 0x208), (std::vector<std::uint64_t>{0x0800'0000'0203'0b00}));
  // Its eight filters: HDM decoder 1, the rest "no filtering".
  std::vector<std::uint64_t> filters;
  for (unsigned f = 0; f < 8; ++f) {
    std::vector<std::uint64_t> w = writes_to(log, 0x400 + 4 * (f + 8));
    ASSERT_EQ(w.size(), 1u) << f;
    filters.push_back(w[0]);
  }
  EXPECT_EQ(filters, (std::vector<std::uint64_t>{1, 0xffff'ffff, 0xffff'ffff, 0xffff'ffff, 0xffff'ffff, 0xffff'ffff,
                                                 0xffff'ffff, 0xffff'ffff}));
  // Counter 0 (fixed clock ticks): enable and interrupt, its hard-wired
  // events (0x1) and group index (0) as they read.
  EXPECT_EQ(writes_to(log, 0x200), (std::vector<std::uint64_t>{0x0000'0000'0100'0300}));
  // Both counters zeroed, and the whole programming done frozen.
  EXPECT_EQ(writes_to(log, 0xc00), (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(writes_to(log, 0xc08), (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(writes_to(log, 0x018), (std::vector<std::uint64_t>{0b11, 0}));
  EXPECT_EQ(log.front().offset, 0x018u);
  EXPECT_EQ(log.back().offset, 0x018u);
  // And the registers hold it.
  EXPECT_EQ(read_register(rig, 0x208) & ~0x3ULL, 0x0800'0000'0203'0b00u);
  EXPECT_EQ(read_register(rig, 0x420, 4), 1u);
}

TEST(DirectBackendProgramming, NoStaleBitsSurviveReprogrammingACounter) {
  SimRig rig(with_hdm_filter());
  ASSERT_RIG(rig);
  EventSelection odd = kMemRd;
  odd.edge = true;
  odd.invert = true;
  odd.threshold = 7;
  odd.hdm_decoder = 0;
  {
    auto first = rig.open({request("odd", odd)});
    ASSERT_TRUE(first);
    ASSERT_TRUE((*first)->start());
    EXPECT_EQ(read_register(rig, 0x208) & ~0x3ULL, 0x0800'0000'0207'1b00u);
    // Dropped without stop(): the destructor stops it.
  }
  EXPECT_EQ(read_register(rig, 0x208) & ~0x3ULL, 0x0800'0000'0207'1800u);   // disabled, fields kept
  auto second = rig.open({request("plain", kDrsMemData)});
  ASSERT_TRUE(second);
  ASSERT_TRUE((*second)->start());
  // Counter 1 now: enable, interrupt, events 0x1, group index 4 (S2M DRS).
  EXPECT_EQ(read_register(rig, 0x208) & ~0x3ULL, 0x2000'0000'0100'0300u);
  EXPECT_EQ(read_register(rig, 0x420, 4), 0xffff'ffffu);
  const std::uint64_t base = rig.truth(kDrsMemData);
  rig.advance(5 * kMs);
  EXPECT_EQ(values_of(**second)[0].raw, rig.truth(kDrsMemData) - base);
}

TEST(DirectBackendProgramming, FreeRunningCountersAreNeverWrittenAndCountFromTheirStartValue) {
  CpmuTopology t;
  t.counters = R"({"kind": "free_running", "cap": 0, "mask": "0x1"}, {"kind": "configurable"})";
  SimRig rig(t);
  ASSERT_RIG(rig);
  rig.advance(3 * kMs);
  auto backend = rig.open({request("clock_ticks", kClockTicks), request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  EXPECT_EQ((*backend)->plan().counts[0].placement, Placement::kFreeRunning);
  ASSERT_TRUE((*backend)->start());
  const std::uint64_t base = rig.truth(kClockTicks);
  EXPECT_GT(base, 0u);
  rig.advance(4 * kMs);
  EXPECT_EQ(values_of(**backend)[0].raw, rig.truth(kClockTicks) - base);
  ASSERT_TRUE((*backend)->stop());
  for (const MmioWrite& w : *rig.platform().writes) {
    EXPECT_NE(w.offset, 0x200u);
    EXPECT_NE(w.offset, 0xc00u);
    EXPECT_FALSE(w.offset >= 0x400 && w.offset < 0x420) << w.offset;
  }
}

TEST(DirectBackendProgramming, FreeRunningCounterSomeoneModifiedIsFlagged) {
  CpmuTopology t;
  t.counters = R"({"kind": "free_running", "cap": 0, "mask": "0x1"}, {"kind": "configurable"})";
  SimRig rig(t);
  ASSERT_RIG(rig);
  ASSERT_TRUE(rig.machine().mmio_write(kEndpoint, rig.cpmu().block.bir, rig.cpmu().block.offset + 0x200, 8,
                                       0x0000'0000'0002'0800));   // edge, threshold 2
  auto backend = rig.open({request("clock_ticks", kClockTicks)});
  ASSERT_TRUE(backend);
  ASSERT_TRUE((*backend)->start());
  const CountValue v = values_of(**backend)[0];
  EXPECT_FALSE(v.trusted);
  EXPECT_EQ(v.doubt,
            "free-running counter 0 has threshold 2, edge set by someone else, so it does not count exactly this "
            "event");
}

TEST(DirectBackendProgramming, WithoutWritableWhenFrozenCountersAreProgrammedUnfrozen) {
  CpmuTopology t;
  t.writable_when_frozen = false;
  SimRig rig(t);
  ASSERT_RIG(rig);
  auto backend = rig.open({request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  ASSERT_TRUE((*backend)->start());
  // Disabled first, then filters and zero, then enabled; frozen only for the baseline.
  EXPECT_EQ(writes_to(*rig.platform().writes, 0x208),
            (std::vector<std::uint64_t>{0x0800'0000'0200'0000, 0x0800'0000'0200'0300}));
  EXPECT_EQ(writes_to(*rig.platform().writes, 0x018), (std::vector<std::uint64_t>{0b10, 0}));
  const std::uint64_t base = rig.truth(kMemRd);
  rig.advance(5 * kMs);
  EXPECT_EQ(values_of(**backend)[0].raw, rig.truth(kMemRd) - base);
}

TEST(DirectBackendProgramming, PollingLeavesInterruptOnOverflowClear) {
  SimRig rig;
  ASSERT_RIG(rig);
  DirectBackendOptions options = rig.options();
  options.use_interrupts = false;
  auto backend = rig.open({request("memrd", kMemRd)}, options);
  ASSERT_TRUE(backend);
  ASSERT_TRUE((*backend)->start());
  EXPECT_EQ(writes_to(*rig.platform().writes, 0x208), (std::vector<std::uint64_t>{0x0800'0000'0200'0100}));
}

TEST(DirectBackendProgramming, StopDisablesAndKeepsTheTotals) {
  SimRig rig;
  ASSERT_RIG(rig);
  auto backend = rig.open({request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  ASSERT_TRUE((*backend)->start());
  const std::uint64_t base = rig.truth(kMemRd);
  rig.advance(2 * kMs);
  ASSERT_TRUE((*backend)->stop());
  const std::uint64_t at_stop = rig.truth(kMemRd) - base;
  EXPECT_EQ(read_register(rig, 0x208) & ~0x3ULL, 0x0800'0000'0200'0000u);
  rig.advance(2 * kMs);
  std::vector<CountValue> values = values_of(**backend);
  EXPECT_EQ(values[0].raw, at_stop);
  EXPECT_EQ(values[0].time_enabled_ns, 2 * kMs);
  // A new start() counts from zero again.
  ASSERT_TRUE((*backend)->start());
  const std::uint64_t restart = rig.truth(kMemRd);
  rig.advance(kMs);
  EXPECT_EQ(values_of(**backend)[0].raw, rig.truth(kMemRd) - restart);
}

// Unfrozen (the default): Overflow Status, the counters, Overflow Status
// again. Frozen (freeze_reads): Freeze, status, counters, unfreeze.
TEST(DirectBackendAccesses, ASampleCostsTheCountersReadPlusTwo) {
  SimRig rig;
  ASSERT_RIG(rig);
  auto backend = rig.open({request("clock", kClockTicks), request("memrd", kMemRd), request("memwr", kMemWr),
                           request("drs", kDrsMemData), request("ndr", kNdrCmp)});
  ASSERT_TRUE(backend);
  ASSERT_TRUE((*backend)->start());
  rig.advance(kMs);
  rig.machine().reset_access_counts();
  ASSERT_TRUE((*backend)->read());
  sim::AccessCounts counts = rig.machine().access_counts(kEndpoint, sim::BlockKind::kCpmu, 0).value();
  EXPECT_EQ(counts.reads, 5u + 2);    // 5 counters and Overflow Status twice
  EXPECT_EQ(counts.writes, 0u);
  // Freezing every read: Freeze and unfreeze instead of the second status read.
  DirectBackendOptions options = rig.options();
  options.freeze_reads = true;
  backend = Result<std::unique_ptr<CounterBackend>>(Error(Errc::kIo, "closed"));
  auto frozen = rig.open({request("memrd", kMemRd), request("memwr", kMemWr)}, options);
  ASSERT_TRUE(frozen) << frozen.error().message();
  ASSERT_TRUE((*frozen)->start());
  rig.machine().reset_access_counts();
  ASSERT_TRUE((*frozen)->read());
  counts = rig.machine().access_counts(kEndpoint, sim::BlockKind::kCpmu, 0).value();
  EXPECT_EQ(counts.reads, 2u + 1);
  EXPECT_EQ(counts.writes, 2u);
}

TEST(DirectBackendOwnership, SecondOpenFailsNamingTheFirstOwner) {
  SimRig rig;
  ASSERT_RIG(rig);
  auto first = rig.open({request("memrd", kMemRd)});
  ASSERT_TRUE(first);
  auto second = rig.open({request("memrd", kMemRd)});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), Errc::kBusy);
  EXPECT_EQ(second.error().message(),
            fmt::format("0000:0d:00.0 CPMU 0: process {} programs it (lock file {}/cpmu-0000:0d:00.0-0.lock)",
                        ::getpid(), rig.lock_directory()));
  first = Result<std::unique_ptr<CounterBackend>>(Error(Errc::kIo, "closed"));
  EXPECT_TRUE(rig.open({request("memrd", kMemRd)}));
}

TEST(DirectBackendOwnership, KernelOwnedCpmuIsRefusedAndTheErrorNamesThePerfPmu) {
  SimRig rig;
  ASSERT_RIG(rig);
  Cpmu kernel_owned = rig.cpmu();
  kernel_owned.owner.kind = CpmuOwnerKind::kKernel;
  kernel_owned.kernel_device = "pmu_mem0.0";
  kernel_owned.perf_pmu = "cxl_pmu_mem0.0";
  auto backend = open_direct_backend(rig.platform(), rig.function(), kernel_owned, {request("memrd", kMemRd)},
                                     rig.options());
  ASSERT_FALSE(backend);
  EXPECT_EQ(backend.error().code(), Errc::kOwnedByDriver);
  EXPECT_EQ(backend.error().message(),
            "0000:0d:00.0 CPMU 0: the kernel's cxl_pmu driver owns this CPMU (pmu_mem0.0); it is never programmed "
            "directly: count it through the perf backend (perf PMU cxl_pmu_mem0.0)");
  EXPECT_TRUE(rig.platform().writes->empty());
  EXPECT_FALSE(find_cpmu_lock_holder({rig.lock_directory()}, kEndpoint, 0));
}

TEST(DirectBackendOwnership, BadInputIsAClearError) {
  SimRig rig;
  ASSERT_RIG(rig);
  auto none = rig.open({});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "0000:0d:00.0 CPMU 0: no events to count");
  DirectBackendOptions no_rotation = rig.options();
  no_rotation.rotation_period = std::chrono::nanoseconds(0);
  auto zero = rig.open({request("memrd", kMemRd)}, no_rotation);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().message(), "0000:0d:00.0 CPMU 0: the rotation period must be positive, got 0 ns");
  Cpmu elsewhere = rig.cpmu();
  elsewhere.block.offset = 0x10'0000'0000;
  auto unmapped = open_direct_backend(rig.platform(), rig.function(), elsewhere, {request("memrd", kMemRd)},
                                      rig.options());
  ASSERT_FALSE(unmapped);
  EXPECT_EQ(unmapped.error().message().rfind("0000:0d:00.0 CPMU 0: ", 0), 0u) << unmapped.error().message();
}

TEST(DirectBackendOwnership, UnsupportedRequestsAreReportedNotCounted) {
  SimRig rig;
  ASSERT_RIG(rig);
  EventSelection filtered = kMemRd;
  filtered.hdm_decoder = 0;   // this CPMU has no HDM filter
  auto backend = rig.open({request("memrd", kMemRd), request("filtered", filtered)});
  ASSERT_TRUE(backend);
  ASSERT_TRUE((*backend)->start());
  std::vector<CountValue> values = values_of(**backend);
  EXPECT_EQ(values[1].state, CountState::kNotSupported);
  EXPECT_EQ((*backend)->plan().counts[1].reason,
            "HDM-decoder filter: this CPMU's capability register has filter bit 0 clear");
  EXPECT_EQ(values[0].state, CountState::kCounted);
}

}  // namespace
}  // namespace cpmu::test
