// The simulated machine at run time: MMIO routing, access counters,
// interrupts through eventfds, time, ground truth and every fault.
#include "cxlsim/simulated_machine.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <thread>

#include "cpmu/regs/cpmu.hpp"

namespace cpmu::sim {
namespace {

namespace cpmu_regs = regs::cpmu;

// Functions of the built-in default (see machine_layout_test.cpp).
const PciAddress kRootPort0{0, 0x0c, 0, 0};
const PciAddress kUpstream{0, 0x0d, 0, 0};
const PciAddress kDownstream0{0, 0x0e, 0, 0};
const PciAddress kMemA{0, 0x0f, 0, 0};   // 2 CPMUs: 48-bit (MSI 1), 32-bit DDR (MSI 2)
const PciAddress kMemB{0, 0x10, 0, 0};   // 1 CPMU: 16-bit, MSI 3, counter 3 = fixed s2m_drs memdata
const PciAddress kMemC{0, 0x11, 0, 0};   // 1 CPMU: 48-bit, MSI 4
const PciAddress kMemD{0, 0x13, 0, 0};   // 2 CPMUs: 32-bit (MSI 5), 16-bit (no interrupt)
constexpr unsigned kDeviceBar = 2;
constexpr std::uint64_t kCpmu0 = 0x1'0000;   // CPMU blocks in slots after the memory-device block
constexpr std::uint64_t kCpmu1 = 0x2'0000;

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

Result<std::unique_ptr<SimulatedMachine>> make(const TopologySpec& spec) {
  return SimulatedMachine::create(spec, std::make_shared<VirtualClock>());
}

class MachineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TopologySpec> spec = default_topology();
    ASSERT_TRUE(spec) << spec.error().message();
    topology = *spec;
    Result<std::unique_ptr<SimulatedMachine>> created = make(topology);
    ASSERT_TRUE(created) << created.error().message();
    machine = std::move(*created);
  }
  std::uint64_t mmio(const PciAddress& a, unsigned bar, std::uint64_t offset, unsigned size = 8) {
    return machine->mmio_read(a, bar, offset, size).value();
  }
  std::uint32_t cfg(const PciAddress& a, unsigned offset) { return machine->config_read(a, offset, 4).value(); }

  TopologySpec topology;
  std::unique_ptr<SimulatedMachine> machine;
};

TEST_F(MachineTest, MmioReachesComponentMemoryDeviceAndCpmuBlocks) {
  EXPECT_EQ(mmio(kMemA, 0, 0x1000, 4), 0x0311'0001u);      // CXL.cache/mem array: RAS, Link, HDM
  EXPECT_EQ(mmio(kMemA, 0, 0x1110, 4), 0x0000'0311u);      // 2 HDM decoders
  EXPECT_EQ(mmio(kMemA, kDeviceBar, 0, 8), 0x0000'0003'0001'0000u);   // memory-device array
  // CPMU capabilities: counters-1, width, caps-1, filters, MSI, WWF/freeze/int, version.
  EXPECT_EQ(mmio(kMemA, kDeviceBar, kCpmu0), 0x1007'1001'0050'3007u);
  EXPECT_EQ(mmio(kMemA, kDeviceBar, kCpmu1), 0x1007'2002'0010'2005u);
  EXPECT_EQ(mmio(kRootPort0, 0, 0x1'0000), 0x1003'0000'0030'2003u);   // 32-bit, freeze, no interrupt
  EXPECT_EQ(mmio(kDownstream0, 0, 0x1000, 4), 0x0211'0001u);          // ports: RAS and Link only
  EXPECT_EQ(mmio(kUpstream, 0, 0x1000, 4), 0x0311'0001u);             // the switch has HDM decoders
}

TEST_F(MachineTest, UnbackedSpaceReadsZeroAndIgnoresWrites) {
  EXPECT_EQ(mmio(kMemA, kDeviceBar, 0x1'8000), 0u);    // between CPMU slots
  EXPECT_EQ(mmio(kMemA, kDeviceBar, 0x1'0e00), 0u);    // after the 0xE00-byte CPMU block
  EXPECT_EQ(mmio(kMemA, kDeviceBar, 0x3'fff8), 0u);    // the last slot is empty
  ASSERT_TRUE(machine->mmio_write(kMemA, kDeviceBar, 0x1'8000, 8, ~0ULL));
  EXPECT_EQ(mmio(kMemA, kDeviceBar, 0x1'8000), 0u);
  // Read-only images ignore writes.
  ASSERT_TRUE(machine->mmio_write(kMemA, 0, 0x1000, 4, 0));
  EXPECT_EQ(mmio(kMemA, 0, 0x1000, 4), 0x0311'0001u);
}

TEST_F(MachineTest, MemorySpaceDisabledMakesMmioMasterAbort) {
  ASSERT_TRUE(machine->config_write(kMemA, 0x04, 2, 0x0004));   // bus master only
  EXPECT_EQ(mmio(kMemA, kDeviceBar, kCpmu0), ~0ULL);
  EXPECT_EQ(mmio(kMemA, 0, 0x1000, 4), 0xffff'ffffu);
  ASSERT_TRUE(machine->mmio_write(kMemA, kDeviceBar, kCpmu0 + cpmu_regs::kFreeze, 8, 0xff));   // dropped
  ASSERT_TRUE(machine->config_write(kMemA, 0x04, 2, 0x0006));
  EXPECT_EQ(mmio(kMemA, kDeviceBar, kCpmu0 + cpmu_regs::kFreeze), 0u);
  EXPECT_EQ(mmio(kMemA, 0, 0x1000, 4), 0x0311'0001u);
}

TEST_F(MachineTest, MsixTableIsMemory) {
  ASSERT_TRUE(machine->mmio_write(kMemA, 4, 0x10, 8, 0x0000'0000'fee0'1000));
  ASSERT_TRUE(machine->mmio_write(kMemA, 4, 0x18, 4, 0x41));
  EXPECT_EQ(mmio(kMemA, 4, 0x10), 0x0000'0000'fee0'1000u);
  EXPECT_EQ(mmio(kMemA, 4, 0x18, 4), 0x41u);
  ASSERT_TRUE(machine->mmio_write(kRootPort0, 0, 0x2'0000, 4, 0xfee0'0000));   // ports: after the CPMU
  EXPECT_EQ(mmio(kRootPort0, 0, 0x2'0000, 4), 0xfee0'0000u);
}

TEST_F(MachineTest, BadMmioAccessesAreErrorsNamingWhatAndWhere) {
  Result<std::uint64_t> no_bar = machine->mmio_read(kMemA, 1, 0, 4);
  ASSERT_FALSE(no_bar);
  EXPECT_EQ(no_bar.error().code(), Errc::kNotFound);
  EXPECT_EQ(no_bar.error().message(), "0000:0f:00.0: BAR 1 is not implemented");
  Result<std::uint64_t> outside = machine->mmio_read(kMemA, 0, 0x1'0000, 4);
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().message(), "0000:0f:00.0: offset 0x10000 is outside BAR 0 (0x10000 bytes)");
  EXPECT_FALSE(machine->mmio_read(kMemA, 0, 0x1002, 4));
  EXPECT_FALSE(machine->mmio_write(kMemA, 0, 0, 3, 0));
  EXPECT_EQ(machine->mmio_read({0, 0x30, 0, 0}, 0, 0, 4).error().code(), Errc::kNotFound);
}

TEST_F(MachineTest, AccessCountersCountReadsAndWritesPerBlock) {
  machine->reset_access_counts();
  for (int i = 0; i < 3; ++i) mmio(kMemA, kDeviceBar, kCpmu1 + cpmu_regs::kCapability);
  ASSERT_TRUE(machine->mmio_write(kMemA, kDeviceBar, kCpmu1 + cpmu_regs::kFreeze, 8, 0));
  mmio(kMemA, 0, 0x1000, 4);
  cfg(kMemA, 0);
  cfg(kMemA, 4);
  EXPECT_EQ(machine->access_counts(kMemA, BlockKind::kCpmu, 1).value(), (AccessCounts{3, 1}));
  EXPECT_EQ(machine->access_counts(kMemA, BlockKind::kCpmu, 0).value(), (AccessCounts{0, 0}));
  EXPECT_EQ(machine->access_counts(kMemA, BlockKind::kComponent).value(), (AccessCounts{1, 0}));
  EXPECT_EQ(machine->access_counts(kMemA, BlockKind::kMemoryDevice).value(), (AccessCounts{0, 0}));
  EXPECT_EQ(machine->access_counts(kMemA, BlockKind::kConfig).value(), (AccessCounts{2, 0}));
  EXPECT_EQ(machine->access_counts(kMemB, BlockKind::kCpmu, 0).value(), (AccessCounts{0, 0}));
  EXPECT_FALSE(machine->access_counts(kMemB, BlockKind::kCpmu, 1));   // mem B has one CPMU
  machine->reset_access_counts();
  EXPECT_EQ(machine->access_counts(kMemA, BlockKind::kCpmu, 1).value(), (AccessCounts{0, 0}));
}

TEST_F(MachineTest, OverflowInterruptBecomesReadableOnTheEventfdAfterAdvance) {
  Result<std::unique_ptr<InterruptSource>> source = machine->subscribe(kMemB, 3);
  ASSERT_TRUE(source) << source.error().message();
  // Counter 3 counts S2M DRS MemData, one per read (4 M/s at first); its 16
  // bits wrap at the 65536th.
  const std::uint64_t config = cpmu_regs::counter_cfg::kEnable.mask() | cpmu_regs::counter_cfg::kIntOnOverflow.mask();
  ASSERT_TRUE(machine->mmio_write(kMemB, kDeviceBar, kCpmu0 + cpmu_regs::counter_config(3), 8, config));
  const sim::EventKey memdata{0x1e98, 0x25, 0};
  const std::uint64_t before = machine->ground_truth(kMemB, 0, memdata, {}).value();
  EXPECT_FALSE(readable((*source)->fd()));
  ASSERT_TRUE(machine->advance(10'000'000));
  ASSERT_LT(machine->ground_truth(kMemB, 0, memdata, {}).value() - before, 65536u);
  EXPECT_FALSE(readable((*source)->fd()));
  ASSERT_TRUE(machine->advance(10'000'000));
  ASSERT_GE(machine->ground_truth(kMemB, 0, memdata, {}).value() - before, 65536u);
  EXPECT_TRUE(readable((*source)->fd()));
  EXPECT_EQ(mmio(kMemB, kDeviceBar, kCpmu0 + cpmu_regs::kOverflowStatus), 0x8u);
  EXPECT_EQ((*source)->consume().value(), 1u);
  EXPECT_FALSE(readable((*source)->fd()));
  EXPECT_EQ((*source)->consume().value(), 0u);
  EXPECT_EQ(machine->interrupt_count(kMemB, 3).value(), 1u);
}

// A register access takes its time in virtual time too; an interrupt
// reaches subscribers its latency after the sync that found the wrap, one
// per wrap however many laps one late sync covers.
TEST_F(MachineTest, TimingMakesAccessesTakeTimeAndDelaysInterruptsOnePerWrap) {
  SimTiming timing;
  timing.register_access_ns = 700;
  timing.interrupt_latency_ns = 300'000;
  timing.tick_ns = 50'000'000;   // a ticker 50 times late
  ASSERT_TRUE(machine->set_timing(timing));
  EXPECT_EQ(machine->timing(), timing);
  const std::uint64_t t0 = machine->now_ns();
  mmio(kMemB, kDeviceBar, kCpmu0 + cpmu_regs::kOverflowStatus);
  EXPECT_EQ(machine->now_ns(), t0 + 700);
  Result<std::unique_ptr<InterruptSource>> source = machine->subscribe(kMemB, 3);
  ASSERT_TRUE(source);
  const std::uint64_t config = cpmu_regs::counter_cfg::kEnable.mask() | cpmu_regs::counter_cfg::kIntOnOverflow.mask();
  ASSERT_TRUE(machine->mmio_write(kMemB, kDeviceBar, kCpmu0 + cpmu_regs::counter_config(3), 8, config));
  const sim::EventKey memdata{0x1e98, 0x25, 0};
  const std::uint64_t before = machine->ground_truth(kMemB, 0, memdata, {}).value();
  // One sync 50 ms on: 4 M reads/s make 200000 reads, 3 wraps of 16 bits.
  ASSERT_TRUE(machine->advance(50'000'000));
  const std::uint64_t counted = machine->ground_truth(kMemB, 0, memdata, {}).value() - before;
  ASSERT_EQ(counted / 65536, 3u);
  EXPECT_FALSE(readable((*source)->fd()));
  EXPECT_EQ(machine->interrupts_in_flight(kMemB, 3).value(), 3u);
  ASSERT_TRUE(machine->advance(299'000));
  EXPECT_FALSE(readable((*source)->fd()));
  ASSERT_TRUE(machine->advance(1'000));
  EXPECT_EQ((*source)->consume().value(), 3u);
  EXPECT_EQ(machine->interrupt_count(kMemB, 3).value(), 3u);
  timing.register_access_ns = 2'000'000;
  Status refused = machine->set_timing(timing);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "register_access_ns 2000000 must be 0..1000000");
}

TEST_F(MachineTest, EverySubscriberOfAVectorIsSignalled) {
  auto first = machine->subscribe(kMemB, 3);
  auto second = machine->subscribe(kMemB, 3);
  auto other_vector = machine->subscribe(kMemB, 4);
  ASSERT_TRUE(first && second && other_vector);
  const std::uint64_t config = cpmu_regs::counter_cfg::kEnable.mask() | cpmu_regs::counter_cfg::kIntOnOverflow.mask();
  ASSERT_TRUE(machine->mmio_write(kMemB, kDeviceBar, kCpmu0 + cpmu_regs::counter_config(3), 8, config));
  ASSERT_TRUE(machine->advance(20'000'000));   // 80000 reads: past one wrap
  EXPECT_TRUE(readable((*first)->fd()));
  EXPECT_TRUE(readable((*second)->fd()));
  EXPECT_FALSE(readable((*other_vector)->fd()));
}

TEST_F(MachineTest, SubscribingToAVectorOutsideTheMsixTableFails) {
  Result<std::unique_ptr<InterruptSource>> source = machine->subscribe(kMemB, 16);
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().message(), "0000:10:00.0: vector 16 does not exist (16 MSI-X vectors)");
}

TEST_F(MachineTest, ConfigurableCounterMatchesGroundTruth) {
  // mem D CPMU 0: event capability 0 is M2S Req; count m2s_req_memrd (bit 1) from t = 0.
  const std::uint64_t config = cpmu_regs::counter_cfg::kEnable.mask() | cpmu_regs::counter_cfg::kEvents.make(0x2);
  ASSERT_TRUE(machine->mmio_write(kMemD, kDeviceBar, kCpmu0 + cpmu_regs::counter_config(0), 8, config));
  ASSERT_TRUE(machine->advance(300'000'000));
  const std::uint64_t truth = machine->ground_truth(kMemD, 0, {0x1e98, 0x20, 1}, {}).value();
  EXPECT_GT(truth, 1'000'000u);
  EXPECT_EQ(mmio(kMemD, kDeviceBar, kCpmu0 + cpmu_regs::counter_value(0)), truth);
  EXPECT_EQ(machine->now_ns(), 300'000'000u);
}

TEST_F(MachineTest, PortsSeeTheSumOfTheTrafficBelowThem) {
  ASSERT_TRUE(machine->advance(100'000'000));
  const EventKey memrd{0x1e98, 0x20, 1};
  std::uint64_t below = 0;
  for (const PciAddress& e : {kMemA, kMemB, kMemC}) {
    // Every expander has a CPMU whose ground truth is its own traffic.
    below += machine->ground_truth(e, 0, memrd, {}).value();
  }
  EXPECT_EQ(machine->ground_truth(kUpstream, 0, memrd, {}).value(), below);
  EXPECT_EQ(machine->ground_truth(kRootPort0, 0, memrd, {}).value(), below);
  EXPECT_EQ(machine->ground_truth(kDownstream0, 0, memrd, {}).value(), machine->ground_truth(kMemA, 0, memrd, {}).value());
}

TEST_F(MachineTest, SurpriseRemovalMakesTheFunctionAndItsSubtreeReadAllOnes) {
  ASSERT_TRUE(machine->inject(kDownstream0, SurpriseRemoval{}));
  EXPECT_EQ(cfg(kDownstream0, 0), 0xffff'ffffu);
  EXPECT_EQ(machine->config_read(kMemA, 0x06, 2).value(), 0xffffu);
  EXPECT_EQ(mmio(kMemA, kDeviceBar, kCpmu0), ~0ULL);
  EXPECT_EQ(mmio(kMemA, 0, 0x1000, 4), 0xffff'ffffu);
  ASSERT_TRUE(machine->config_write(kMemA, 0x04, 2, 0x0006));   // dropped, not an error
  EXPECT_EQ(cfg(kUpstream, 0), 0xc001'1b36u);                   // the rest is untouched
  EXPECT_EQ(cfg(kMemB, 0), 0xc003'1b36u);
  // Bad accesses stay errors, removed or not.
  EXPECT_FALSE(machine->config_read(kMemA, 0x02, 4));
  ASSERT_EQ(machine->config_bytes(kMemA).value(), std::vector<std::uint8_t>(4096, 0xff));
}

TEST_F(MachineTest, SurpriseRemovalFromTheTopologyHappensAtItsTime) {
  topology.host_bridges[0].root_ports[1].endpoint->function.faults.surprise_removal_ns = 5'000'000;
  std::unique_ptr<SimulatedMachine> m = make(topology).value();
  EXPECT_EQ(m->config_read(kMemD, 0, 4).value(), 0xc003'1b36u);
  ASSERT_TRUE(m->advance(5'000'000));
  EXPECT_EQ(m->config_read(kMemD, 0, 4).value(), 0xffff'ffffu);
}

TEST_F(MachineTest, RemovedDeviceRaisesNoInterrupts) {
  auto source = machine->subscribe(kMemB, 3);
  ASSERT_TRUE(source);
  const std::uint64_t config = cpmu_regs::counter_cfg::kEnable.mask() | cpmu_regs::counter_cfg::kIntOnOverflow.mask();
  ASSERT_TRUE(machine->mmio_write(kMemB, kDeviceBar, kCpmu0 + cpmu_regs::counter_config(3), 8, config));
  ASSERT_TRUE(machine->inject(kMemB, SurpriseRemoval{}));
  ASSERT_TRUE(machine->advance(10 * kTickNs));
  EXPECT_FALSE(readable((*source)->fd()));
}

TEST_F(MachineTest, CapabilityLoopFaultPointsTheLastCapabilityBack) {
  topology.host_bridges[0].root_ports[0].switch_below->downstream_ports[2].endpoint->function.faults.capability_loop = true;
  std::unique_ptr<SimulatedMachine> m = make(topology).value();
  EXPECT_EQ(m->config_read(kMemC, 0x178, 4).value(), 0x1001'002eu);   // DOE -> 0x100
}

TEST_F(MachineTest, DvsecLengthFaultMakesTheLocatorReachPastConfigSpace) {
  topology.host_bridges[0].root_ports[0].switch_below->downstream_ports[0].endpoint->function.faults
      .dvsec_length_past_config_space = true;
  std::unique_ptr<SimulatedMachine> m = make(topology).value();
  EXPECT_EQ(m->config_read(kMemA, 0x148, 4).value(), 0xfff0'1e98u);
  EXPECT_EQ(m->config_read(kMemA, 0x144, 4).value(), 0x1701'0023u);   // chain unchanged
}

TEST_F(MachineTest, LocatorOffsetFaultMovesTheLastBlockPastItsBar) {
  topology.host_bridges[0].root_ports[0].switch_below->downstream_ports[1].endpoint->function.faults
      .locator_offset_past_bar = true;
  std::unique_ptr<SimulatedMachine> m = make(topology).value();
  // mem B's CPMU entry: BAR 2 is 128 KiB, the entry now says 192 KiB.
  EXPECT_EQ(m->config_read(kMemB, 0x160, 4).value(), 0x0003'0402u);
  EXPECT_EQ(m->config_read(kMemB, 0x158, 4).value(), 0x0000'0302u);   // the others are intact
}

TEST_F(MachineTest, StuckCounterStopsChanging) {
  const std::uint64_t config = cpmu_regs::counter_cfg::kEnable.mask();
  ASSERT_TRUE(machine->mmio_write(kMemD, kDeviceBar, kCpmu0 + cpmu_regs::counter_config(6), 8, config));
  ASSERT_TRUE(machine->advance(kTickNs));
  ASSERT_TRUE(machine->inject(kMemD, StuckCounter{0, 6}));
  const std::uint64_t stuck = mmio(kMemD, kDeviceBar, kCpmu0 + cpmu_regs::counter_value(6));
  EXPECT_EQ(stuck, 1'000'000u);   // 1 ms of a 1 GHz clock
  ASSERT_TRUE(machine->advance(kTickNs));
  EXPECT_EQ(mmio(kMemD, kDeviceBar, kCpmu0 + cpmu_regs::counter_value(6)), stuck);
  ASSERT_TRUE(machine->inject(kMemD, StuckCounter{0, 6, false}));
  ASSERT_TRUE(machine->advance(kTickNs));
  EXPECT_EQ(mmio(kMemD, kDeviceBar, kCpmu0 + cpmu_regs::counter_value(6)), stuck + 1'000'000u);
}

TEST_F(MachineTest, InterruptStormRaisesTheVectorEveryTickWithoutOverflow) {
  auto source = machine->subscribe(kMemC, 4);
  ASSERT_TRUE(source);
  ASSERT_TRUE(machine->inject(kMemC, InterruptStormFault{0}));
  ASSERT_TRUE(machine->advance(10 * kTickNs));
  EXPECT_EQ((*source)->consume().value(), 10u);
  EXPECT_EQ(mmio(kMemC, kDeviceBar, kCpmu0 + cpmu_regs::kOverflowStatus), 0u);
  ASSERT_TRUE(machine->inject(kMemC, InterruptStormFault{0, false}));
  ASSERT_TRUE(machine->advance(10 * kTickNs));
  EXPECT_EQ((*source)->consume().value(), 0u);
}

TEST_F(MachineTest, DoeAnswersDiscoveryThroughConfigSpace) {
  const unsigned doe = 0x158;   // the switch upstream port's DOE capability
  ASSERT_TRUE(machine->config_write(kUpstream, doe + 0x10, 4, 0x0000'0001));   // PCI-SIG discovery
  ASSERT_TRUE(machine->config_write(kUpstream, doe + 0x10, 4, 3));             // 3 DW
  ASSERT_TRUE(machine->config_write(kUpstream, doe + 0x10, 4, 0));             // index 0
  ASSERT_TRUE(machine->config_write(kUpstream, doe + 0x08, 4, 0x8000'0000));   // Go
  EXPECT_EQ(cfg(kUpstream, doe + 0x0c) >> 31, 1u);                             // Data Object Ready
  std::vector<std::uint32_t> response;
  for (int i = 0; i < 3; ++i) {
    response.push_back(cfg(kUpstream, doe + 0x14));
    ASSERT_TRUE(machine->config_write(kUpstream, doe + 0x14, 4, 0));
  }
  EXPECT_EQ(response, (std::vector<std::uint32_t>{0x0000'0001, 3, 0x0100'0001}));   // next index 1
  EXPECT_EQ(cfg(kUpstream, doe + 0x0c) >> 31, 0u);
}

TEST_F(MachineTest, DoeFaultsApplyFromTheTopologyAndAtRunTime) {
  ASSERT_TRUE(machine->inject(kMemA, DoeFaultInjection{DoeFault::kStuckBusy}));
  EXPECT_EQ(cfg(kMemA, 0x180 + 0x0c) & 1u, 1u);   // Busy
  Status no_doe = machine->inject(kRootPort0, DoeFaultInjection{DoeFault::kStuckBusy});
  ASSERT_FALSE(no_doe);
  EXPECT_EQ(no_doe.error().message(), "0000:0c:00.0: has no DOE mailbox");
  topology.host_bridges[0].root_ports[1].endpoint->function.faults.doe = DoeFault::kStuckBusy;
  std::unique_ptr<SimulatedMachine> m = make(topology).value();
  EXPECT_EQ(m->config_read(kMemD, 0x180 + 0x0c, 4).value() & 1u, 1u);
}

TEST_F(MachineTest, RuntimeFaultsCheckTheirTargets) {
  EXPECT_EQ(machine->inject(kMemB, StuckCounter{1, 0}).error().message(), "0000:10:00.0: no CPMU 1 (1 CPMUs)");
  EXPECT_EQ(machine->inject(kMemB, StuckCounter{0, 4}).error().message(), "0000:10:00.0: CPMU 0 has no counter 4");
  EXPECT_FALSE(machine->inject(kMemB, InterruptStormFault{3}));
  EXPECT_EQ(machine->inject({0, 0x40, 0, 0}, SurpriseRemoval{}).error().code(), Errc::kNotFound);
}

TEST_F(MachineTest, RealClockMachineRunsItsTickerAndStopsCleanly) {
  Result<std::unique_ptr<SimulatedMachine>> m = SimulatedMachine::create(topology, std::make_shared<RealClock>());
  ASSERT_TRUE(m) << m.error().message();
  Status advance = (*m)->advance(1000);
  ASSERT_FALSE(advance);
  EXPECT_EQ(advance.error().code(), Errc::kUnsupported);
  EXPECT_EQ((*m)->config_read(kMemA, 0, 4).value(), 0xc003'1b36u);
  m->reset();   // joins the ticker
}

TEST_F(MachineTest, ConcurrentReadersAndAdvanceDoNotInterfere) {
  std::thread reader([&] {
    for (int i = 0; i < 2000; ++i) {
      ASSERT_EQ(machine->config_read(kMemA, 0, 4).value(), 0xc003'1b36u);
      ASSERT_TRUE(machine->mmio_read(kMemA, kDeviceBar, kCpmu0 + cpmu_regs::counter_value(0), 8));
    }
  });
  ASSERT_TRUE(machine->advance(200 * kTickNs));
  reader.join();
  EXPECT_EQ(machine->now_ns(), 200 * kTickNs);
}

TEST(SimulatedMachine, RejectsTopologiesThatCannotBeBuilt) {
  Result<TopologySpec> spec = default_topology();
  ASSERT_TRUE(spec);
  TopologySpec two = *spec;
  two.host_bridges.push_back(spec->host_bridges[0]);
  two.host_bridges[1].root_bus = 0x10;   // inside the first bridge's buses 0c..13
  Result<std::unique_ptr<SimulatedMachine>> overlap = make(two);
  ASSERT_FALSE(overlap);
  EXPECT_EQ(overlap.error().message(),
            "host bridge 1 (buses 10..17) overlaps host bridge 0 (buses 0c..13) in domain 0000");
  TopologySpec high = *spec;
  high.host_bridges[0].root_bus = 0xfa;
  Result<std::unique_ptr<SimulatedMachine>> no_buses = make(high);
  ASSERT_FALSE(no_buses);
  EXPECT_NE(no_buses.error().message().find("more than 256 buses"), std::string::npos);
  EXPECT_FALSE(SimulatedMachine::create(*spec, nullptr));
}

}  // namespace
}  // namespace cpmu::sim
