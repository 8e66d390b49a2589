// THEORY OF OPERATION: DOE and CDAT end to end on cxlsim's built-in default
// machine through the sim platform backend: discovery finds the mailboxes,
// every endpoint's and the switch's table is read and decoded into the values
// of sim/topologies/default.json, and every DOE fault injected into the
// machine ends in the error, abort and dead-mailbox behaviour the docs give.
#include <algorithm>
#include <memory>

#include <gtest/gtest.h>

#include "cpmu/cdat_context.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/doe.hpp"
#include "cxlsim/sim_platform.hpp"
#include "doe_test_support.hpp"

namespace cpmu {
namespace {

using namespace std::chrono_literals;

constexpr DoeProtocol kDiscovery{0x0001, 0};
constexpr DoeProtocol kCdat{0x1e98, 2};
constexpr std::uint64_t kGiB = 1ull << 30;

struct SimRig {
  SimRig() {
    auto opened = sim::open_sim_platform(std::nullopt, sim::ClockMode::kVirtual);
    EXPECT_TRUE(opened) << opened.error().message();
    platform = std::move(*opened);
    auto found = discover(*platform);
    EXPECT_TRUE(found) << found.error().message();
    machine = std::move(*found);
    topology = build_topology(machine);
  }
  std::size_t endpoint_with_serial(std::uint64_t serial) const {
    for (std::size_t i = 0; i < machine.functions.size(); ++i) {
      if (machine.functions[i].serial_number == serial) return i;
    }
    ADD_FAILURE() << "no function with serial " << serial;
    return 0;
  }
  std::size_t upstream_port() const {
    for (std::size_t i = 0; i < machine.functions.size(); ++i) {
      if (machine.functions[i].kind == ComponentKind::kSwitchUpstreamPort) return i;
    }
    ADD_FAILURE() << "no switch upstream port";
    return 0;
  }
  DoeMailbox mailbox(std::size_t function) {
    const auto& fn = machine.functions[function];
    EXPECT_EQ(fn.doe_mailboxes.size(), 1u);
    return DoeMailbox(*platform, fn.info.address, fn.doe_mailboxes.at(0).offset, DoeMailboxOptions{{}, clock});
  }
  void inject(std::size_t function, sim::DoeFault fault) {
    ASSERT_TRUE(platform->machine().inject(machine.functions[function].info.address, sim::DoeFaultInjection{fault}));
  }
  CdatReadOptions options() const {
    CdatReadOptions o;
    o.mailbox.clock = clock;
    return o;
  }

  std::unique_ptr<sim::SimPlatform> platform;
  DiscoveredMachine machine;
  Topology topology;
  std::shared_ptr<test::VirtualClock> clock = std::make_shared<test::VirtualClock>();
};

DoeRequest discovery_request() { return DoeRequest{kDiscovery, {0}, 1}; }

TEST(DoeOnSimMachine, EveryMemoryExpanderAndTheSwitchOfferDiscoveryAndCdat) {
  SimRig rig;
  unsigned with_cdat = 0;
  for (std::size_t i = 0; i < rig.machine.functions.size(); ++i) {
    if (!has_cdat_role(rig.machine.functions[i])) continue;
    ++with_cdat;
    DoeMailbox mailbox = rig.mailbox(i);
    auto protocols = discover_doe_protocols(mailbox);
    ASSERT_TRUE(protocols) << protocols.error().message();
    EXPECT_EQ(*protocols, (std::vector<DoeProtocol>{kDiscovery, kCdat}));
  }
  EXPECT_EQ(with_cdat, 5u);   // four memory expanders and the switch upstream port
}

TEST(DoeOnSimMachine, CdatContextHasTheDefaultMachinesValues) {
  SimRig rig;
  const CdatContext context = read_cdat_context(*rig.platform, rig.machine, rig.topology, rig.options());
  ASSERT_EQ(context.functions.size(), 5u);
  for (const auto& f : context.functions) {
    EXPECT_TRUE(f.table) << (f.error ? f.error->message() : "");
    EXPECT_EQ(f.source.rfind("DOE@", 0), 0u);
  }

  const FunctionCdat* two_ranges = context.find(rig.endpoint_with_serial(0x1002));
  ASSERT_NE(two_ranges, nullptr);
  ASSERT_EQ(two_ranges->ranges.size(), 2u);
  const auto& volatile_range = two_ranges->ranges[0];
  EXPECT_EQ(volatile_range.dpa_base, 0u);
  EXPECT_EQ(volatile_range.dpa_length, 2 * kGiB);
  EXPECT_FALSE(volatile_range.non_volatile);
  EXPECT_EQ(volatile_range.perf.read_latency_ns, 250u);
  EXPECT_EQ(volatile_range.perf.write_latency_ns, 300u);
  EXPECT_EQ(volatile_range.perf.read_bandwidth, 12'000'000'000u);
  EXPECT_EQ(volatile_range.perf.write_bandwidth, 10'000'000'000u);
  const auto& persistent_range = two_ranges->ranges[1];
  EXPECT_EQ(persistent_range.dpa_base, 2 * kGiB);
  EXPECT_EQ(persistent_range.dpa_length, 4 * kGiB);
  EXPECT_TRUE(persistent_range.non_volatile);
  EXPECT_EQ(persistent_range.perf.read_latency_ns, 400u);
  EXPECT_EQ(persistent_range.perf.write_latency_ns, 600u);
  EXPECT_EQ(persistent_range.perf.read_bandwidth, 8'000'000'000u);
  EXPECT_EQ(persistent_range.perf.write_bandwidth, 5'000'000'000u);

  const FunctionCdat* direct = context.find(rig.endpoint_with_serial(0x1004));
  ASSERT_NE(direct, nullptr);
  ASSERT_EQ(direct->ranges.size(), 1u);
  EXPECT_EQ(direct->ranges[0].dpa_length, 16 * kGiB);
  EXPECT_EQ(direct->ranges[0].perf.read_latency_ns, 120u);
  EXPECT_EQ(direct->ranges[0].perf.write_bandwidth, 28'000'000'000u);

  const std::size_t usp = rig.upstream_port();
  const FunctionCdat* sw = context.find(usp);
  ASSERT_NE(sw, nullptr);
  ASSERT_EQ(sw->port_pairs.size(), 4u);
  for (unsigned port = 0; port < 4; ++port) {
    const auto& pair = sw->port_pairs[port];
    EXPECT_EQ(pair.port_x, 0x0100u);
    EXPECT_EQ(pair.port_y, port);
    EXPECT_EQ(pair.x_function, usp);
    ASSERT_TRUE(pair.y_function) << "port " << port;
    const auto& dsp = rig.machine.functions[*pair.y_function];
    EXPECT_EQ(dsp.kind, ComponentKind::kSwitchDownstreamPort);
    EXPECT_EQ(rig.topology.parent[*pair.y_function], usp);
    EXPECT_EQ(pair.perf.read_latency_ns, 120u);
    EXPECT_EQ(pair.perf.write_latency_ns, 120u);
    EXPECT_EQ(pair.perf.read_bandwidth, 24'000'000'000u);
  }
  EXPECT_NE(sw->port_pairs[0].y_function, sw->port_pairs[1].y_function);
}

TEST(DoeOnSimMachine, BusyForeverKillsTheMailbox) {
  SimRig rig;
  const std::size_t ep = rig.endpoint_with_serial(0x1001);
  DoeMailbox mailbox = rig.mailbox(ep);
  ASSERT_TRUE(mailbox.exchange(discovery_request()));
  rig.inject(ep, sim::DoeFault::kStuckBusy);
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kBusy);
  EXPECT_TRUE(mailbox.dead());
  const auto time = rig.clock->elapsed();
  auto later = mailbox.exchange(discovery_request());
  ASSERT_FALSE(later);
  EXPECT_NE(later.error().message().find("mailbox is dead"), std::string::npos);
  EXPECT_EQ(rig.clock->elapsed(), time);
}

TEST(DoeOnSimMachine, AbortThatNeverCompletesKillsTheMailboxAndLaterRequestsFailAtOnce) {
  SimRig rig;
  const std::size_t ep = rig.endpoint_with_serial(0x1001);
  rig.inject(ep, sim::DoeFault::kAbortNeverCompletes);
  DoeMailbox mailbox = rig.mailbox(ep);
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kTimeout);
  EXPECT_TRUE(mailbox.dead());
  const auto counts = rig.platform->machine().access_counts(rig.machine.functions[ep].info.address,
                                                            sim::BlockKind::kConfig);
  ASSERT_TRUE(counts);
  ASSERT_FALSE(mailbox.exchange(discovery_request()));
  EXPECT_EQ(*rig.platform->machine().access_counts(rig.machine.functions[ep].info.address, sim::BlockKind::kConfig),
            *counts);
}

TEST(DoeOnSimMachine, RecoverableFaultsFailOneExchangeAndTheMailboxWorksAfterwards) {
  struct Case {
    sim::DoeFault fault;
    Errc code;
  };
  for (const Case c : {Case{sim::DoeFault::kErrorMidExchange, Errc::kIo},
                       Case{sim::DoeFault::kTruncatedResponse, Errc::kMalformed},
                       Case{sim::DoeFault::kWrongHeader, Errc::kMalformed},
                       Case{sim::DoeFault::kNoResponse, Errc::kTimeout}}) {
    SimRig rig;
    const std::size_t ep = rig.endpoint_with_serial(0x1003);
    DoeMailbox mailbox = rig.mailbox(ep);
    rig.inject(ep, c.fault);
    auto failed = mailbox.exchange(discovery_request());
    ASSERT_FALSE(failed) << static_cast<int>(c.fault);
    EXPECT_EQ(failed.error().code(), c.code) << failed.error().message();
    EXPECT_FALSE(mailbox.dead());
    rig.inject(ep, sim::DoeFault::kNone);
    EXPECT_TRUE(mailbox.exchange(discovery_request())) << static_cast<int>(c.fault);
  }
}

TEST(DoeOnSimMachine, OversizedResponsesAreDrainedThenRejectedByDiscoveryAndCdat) {
  SimRig rig;
  const std::size_t ep = rig.endpoint_with_serial(0x1003);
  rig.inject(ep, sim::DoeFault::kOversizedResponse);
  DoeMailbox mailbox = rig.mailbox(ep);
  auto protocols = discover_doe_protocols(mailbox);
  ASSERT_FALSE(protocols);
  EXPECT_EQ(protocols.error().code(), Errc::kMalformed);
  auto table = read_cdat_over_doe(mailbox);
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code(), Errc::kMalformed);
  EXPECT_FALSE(mailbox.dead());
}

TEST(DoeOnSimMachine, AFaultyDeviceLeavesTheOthersInTheContextAlone) {
  SimRig rig;
  const std::size_t ep = rig.endpoint_with_serial(0x1002);
  rig.inject(ep, sim::DoeFault::kNoResponse);
  const CdatContext context = read_cdat_context(*rig.platform, rig.machine, rig.topology, rig.options());
  ASSERT_EQ(context.functions.size(), 5u);
  for (const auto& f : context.functions) {
    if (f.function == ep) {
      ASSERT_TRUE(f.error);
      EXPECT_EQ(f.error->code(), Errc::kTimeout);
    } else {
      EXPECT_TRUE(f.table);
    }
  }
}

}  // namespace
}  // namespace cpmu
