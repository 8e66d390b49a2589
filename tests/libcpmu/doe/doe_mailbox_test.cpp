// THEORY OF OPERATION: DoeMailbox runs against cxlsim's DoeModel, whose
// injectable faults cover every way an exchange can fail. Time is virtual
// (VirtualClock), so "busy for 1 s" passes without sleeping, and the tests
// can still check that exactly the 1 s budget was spent.
#include "cpmu/doe.hpp"

#include <future>
#include <vector>

#include <gtest/gtest.h>

#include "cxlsim/cdat_builder.hpp"
#include "doe_test_support.hpp"

namespace cpmu {
namespace {

using namespace std::chrono_literals;
using sim::DoeFault;
using test::DoeModelPlatform;
using test::kDoeFunction;
using test::kDoeOffset;
using test::VirtualClock;

constexpr DoeProtocol kDiscovery{0x0001, 0};
constexpr DoeProtocol kCdat{0x1e98, 2};

sim::DoeSpec cdat_spec() {
  auto table = sim::build_endpoint_cdat({{0, 256ull << 20, true, 150'000, 250'000, 16'000, 16'000}});
  EXPECT_TRUE(table);
  return sim::DoeSpec{false, 0, *table};
}

// Discovery of index 0: the shortest exchange there is.
DoeRequest discovery_request(std::uint32_t index = 0) { return DoeRequest{kDiscovery, {index}, 1}; }

struct Rig {
  Rig() : model(cdat_spec()), platform(model), clock(std::make_shared<VirtualClock>()) {}
  DoeMailbox open() { return DoeMailbox(platform, kDoeFunction, kDoeOffset, DoeMailboxOptions{{}, clock}); }
  void inject(DoeFault fault) {
    platform.with_model([fault](sim::DoeModel& m) { m.inject(fault); });
  }
  sim::DoeModel model;
  DoeModelPlatform platform;
  std::shared_ptr<VirtualClock> clock;
};

TEST(DoeTiming, DefaultsAreOneSecondAndOne128thOfASecond) {
  DoeTiming timing;
  EXPECT_EQ(timing.timeout, 1'000'000'000ns);
  EXPECT_EQ(timing.poll_interval, 7'812'500ns);
}

TEST(DoeProtocolName, NamesTheKnownProtocols) {
  EXPECT_EQ(doe_protocol_name({0x0001, 0}), "PCI-SIG Discovery");
  EXPECT_EQ(doe_protocol_name({0x0001, 1}), "CMA/SPDM");
  EXPECT_EQ(doe_protocol_name({0x0001, 2}), "Secured CMA/SPDM");
  EXPECT_EQ(doe_protocol_name({0x1e98, 2}), "CXL Table Access (CDAT)");
  EXPECT_EQ(doe_protocol_name({0x1e98, 7}), "");
}

TEST(DoeMailbox, TouchesNothingUntilTheFirstRequest) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  EXPECT_EQ(rig.platform.accesses(), 0u);
}

TEST(DoeMailbox, AbortsBeforeFirstUseAndOnlyThen) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  ASSERT_TRUE(mailbox.exchange(discovery_request()));
  ASSERT_TRUE(mailbox.exchange(discovery_request()));
  const auto log = rig.platform.log();
  ASSERT_FALSE(log.empty());
  EXPECT_TRUE(log[0].write);
  EXPECT_EQ(log[0].offset, 0x198u);   // DOE Control
  EXPECT_EQ(log[0].value, 0x1u);      // Abort
  unsigned aborts = 0;
  for (const auto& a : log) aborts += a.write && a.offset == 0x198 && a.value == 0x1;
  EXPECT_EQ(aborts, 1u);
}

TEST(DoeMailbox, WritesHeaderPayloadThenGoAlone) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  ASSERT_TRUE(mailbox.exchange(discovery_request(0)));
  std::vector<std::pair<unsigned, std::uint32_t>> writes;
  for (const auto& a : rig.platform.log()) {
    if (a.write && (a.offset == 0x1a0 || a.offset == 0x198)) writes.emplace_back(a.offset, a.value);
  }
  const std::vector<std::pair<unsigned, std::uint32_t>> expected = {
      {0x198, 0x1}, {0x1a0, 0x00000001}, {0x1a0, 3}, {0x1a0, 0}, {0x198, 0x80000000}};
  EXPECT_EQ(writes, expected);
}

TEST(DoeMailbox, ReturnsThePayloadWithoutTheHeaderDws) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  auto response = mailbox.exchange(discovery_request(0));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->device_payload_dw, 1u);
  ASSERT_EQ(response->payload.size(), 1u);
  EXPECT_EQ(response->payload[0], 0x01000001u);   // VID 1 type 0, next index 1
  EXPECT_EQ(rig.model.exchanges(), 1u);
}

TEST(DoeMailbox, DiscoversEveryProtocolOfTheMailbox) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  auto protocols = discover_doe_protocols(mailbox);
  ASSERT_TRUE(protocols) << protocols.error().message();
  EXPECT_EQ(*protocols, (std::vector<DoeProtocol>{kDiscovery, kCdat}));
}

TEST(DoeMailbox, DiscoveryOfAMailboxWithoutCdatFindsOnlyDiscovery) {
  sim::DoeModel model(sim::DoeSpec{});
  DoeModelPlatform platform(model);
  DoeMailbox mailbox(platform, kDoeFunction, kDoeOffset, {{}, std::make_shared<VirtualClock>()});
  auto protocols = discover_doe_protocols(mailbox);
  ASSERT_TRUE(protocols);
  EXPECT_EQ(*protocols, std::vector<DoeProtocol>{kDiscovery});
}

TEST(DoeMailbox, WaitsOutABusySpellShorterThanTheTimeout) {
  Rig rig;
  rig.model.set_busy_status_reads(20);
  DoeMailbox mailbox = rig.open();
  ASSERT_TRUE(mailbox.exchange(discovery_request()));
  EXPECT_GT(rig.clock->sleeps(), 0u);
  EXPECT_LT(rig.clock->elapsed(), 1s);
}

TEST(DoeMailbox, BusyForeverFailsAfterOneSecondAndLeavesTheMailboxDead) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  ASSERT_TRUE(mailbox.exchange(discovery_request()));
  rig.inject(DoeFault::kStuckBusy);
  const auto start = rig.clock->elapsed();
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kBusy);
  EXPECT_NE(failed.error().message().find("Busy for 1 s"), std::string::npos) << failed.error().message();
  EXPECT_NE(failed.error().message().find("0000:0d:00.0 DOE@0x190"), std::string::npos);
  // 1 s waiting for Busy, then 1 s for an abort that Busy never lets finish.
  EXPECT_GE(rig.clock->elapsed() - start, 2s);
  EXPECT_TRUE(mailbox.dead());
}

TEST(DoeMailbox, ErrorMidExchangeFailsThatExchangeAndTheAbortRecovers) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  rig.inject(DoeFault::kErrorMidExchange);
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kIo);
  EXPECT_NE(failed.error().message().find("Error"), std::string::npos) << failed.error().message();
  // The error came within the 3-DW header-and-payload: no length read after
  // it (0, the largest object) is reported as the response's size.
  EXPECT_EQ(failed.error().message().find("262142"), std::string::npos) << failed.error().message();
  EXPECT_NE(failed.error().message().find("the response is void"), std::string::npos) << failed.error().message();
  EXPECT_FALSE(mailbox.dead());
  rig.inject(DoeFault::kNone);
  EXPECT_TRUE(mailbox.exchange(discovery_request()));
}

TEST(DoeMailbox, AbortThatNeverCompletesKillsTheMailbox) {
  Rig rig;
  rig.inject(DoeFault::kAbortNeverCompletes);
  DoeMailbox mailbox = rig.open();
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kTimeout);
  EXPECT_NE(failed.error().message().find("dead"), std::string::npos) << failed.error().message();
  EXPECT_GE(rig.clock->elapsed(), 1s);
  EXPECT_TRUE(mailbox.dead());
}

TEST(DoeMailbox, DeadMailboxFailsLaterRequestsAtOnceWithoutTouchingTheDevice) {
  Rig rig;
  rig.inject(DoeFault::kAbortNeverCompletes);
  DoeMailbox mailbox = rig.open();
  ASSERT_FALSE(mailbox.exchange(discovery_request()));
  rig.inject(DoeFault::kNone);   // even a device that recovers stays dead to us
  const auto accesses = rig.platform.accesses();
  const auto time = rig.clock->elapsed();
  auto later = mailbox.exchange(discovery_request());
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().code(), Errc::kIo);
  EXPECT_NE(later.error().message().find("mailbox is dead"), std::string::npos) << later.error().message();
  EXPECT_EQ(rig.platform.accesses(), accesses);
  EXPECT_EQ(rig.clock->elapsed(), time);
}

TEST(DoeMailbox, TruncatedResponseIsAnErrorAndTheMailboxRecovers) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  rig.inject(DoeFault::kTruncatedResponse);
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kMalformed);
  EXPECT_NE(failed.error().message().find("truncated"), std::string::npos) << failed.error().message();
  EXPECT_FALSE(mailbox.dead());
  rig.inject(DoeFault::kNone);
  EXPECT_TRUE(mailbox.exchange(discovery_request()));
}

TEST(DoeMailbox, OversizedResponseIsDrainedAndTheExcessDiscarded) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  rig.inject(DoeFault::kOversizedResponse);
  auto response = mailbox.exchange(discovery_request());
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->device_payload_dw, 2u);
  EXPECT_EQ(response->payload, std::vector<std::uint32_t>{0x01000001u});
  EXPECT_EQ(rig.model.exchanges(), 1u);   // every DW was read and acknowledged
}

TEST(DoeMailbox, DiscoveryRejectsAnOversizedAnswer) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  rig.inject(DoeFault::kOversizedResponse);
  auto protocols = discover_doe_protocols(mailbox);
  ASSERT_FALSE(protocols);
  EXPECT_EQ(protocols.error().code(), Errc::kMalformed);
  EXPECT_NE(protocols.error().message().find("2 payload DW, expected 1"), std::string::npos)
      << protocols.error().message();
}

TEST(DoeMailbox, ResponseForAnotherProtocolIsRejected) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  rig.inject(DoeFault::kWrongHeader);
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kMalformed);
  EXPECT_NE(failed.error().message().find("(0x0001, 1) but the request was for (0x0001, 0)"), std::string::npos)
      << failed.error().message();
  rig.inject(DoeFault::kNone);
  EXPECT_TRUE(mailbox.exchange(discovery_request()));
}

TEST(DoeMailbox, NoResponseTimesOutAfterOneSecond) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  ASSERT_TRUE(mailbox.exchange(discovery_request()));
  rig.inject(DoeFault::kNoResponse);
  const auto start = rig.clock->elapsed();
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kTimeout);
  EXPECT_NE(failed.error().message().find("no response within 1 s"), std::string::npos) << failed.error().message();
  EXPECT_GE(rig.clock->elapsed() - start, 1s);
  EXPECT_LT(rig.clock->elapsed() - start, 1s + DoeTiming{}.poll_interval * 2);
  EXPECT_FALSE(mailbox.dead());
  rig.inject(DoeFault::kNone);
  EXPECT_TRUE(mailbox.exchange(discovery_request()));
}

TEST(DoeMailbox, VanishedDeviceIsReportedAsGoneAndKillsTheMailbox) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  ASSERT_TRUE(mailbox.exchange(discovery_request()));
  rig.platform.remove();
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kDeviceGone);
  EXPECT_TRUE(mailbox.dead());
  EXPECT_LT(rig.clock->elapsed(), 1s);   // all ones is final: no waiting for it to change
}

TEST(DoeMailbox, PlatformThatRefusesWritesIsReportedAsSuchNotAsATimeout) {
  Rig rig;
  rig.platform.make_read_only();
  DoeMailbox mailbox = rig.open();
  auto failed = mailbox.exchange(discovery_request());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kUnsupported);
  EXPECT_EQ(failed.error().message(), "0000:0d:00.0 DOE@0x190: cannot reset the mailbox before first use: "
                                      "config space is read-only here");
  EXPECT_EQ(rig.clock->elapsed(), 0ns);
}

TEST(DoeMailbox, RejectsAPayloadLargerThanADataObjectWithoutTouchingTheDevice) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  DoeRequest huge{kDiscovery, std::vector<std::uint32_t>((1u << 18) - 1), 1};
  auto failed = mailbox.exchange(std::move(huge));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Errc::kInvalidArgument);
  EXPECT_EQ(rig.platform.accesses(), 0u);
}

TEST(DoeMailbox, QueuedRequestsAreServedOneAtATimeInOrder) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  std::vector<std::future<Result<DoeResponse>>> pending;
  for (std::uint32_t index = 0; index < 3; ++index) pending.push_back(mailbox.submit(discovery_request(index)));
  const std::vector<std::uint32_t> expected = {0x01000001u, 0x00021e98u, 0x00ff'ffffu};
  for (std::size_t i = 0; i < pending.size(); ++i) {
    auto response = pending[i].get();
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->payload[0], expected[i]) << "request " << i;
  }
  EXPECT_EQ(rig.model.exchanges(), 3u);
}

TEST(DoeMailbox, CapabilityVersionComesFromTheCapabilityHeader) {
  Rig rig;
  DoeMailbox mailbox = rig.open();
  auto version = mailbox.capability_version();
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, 1u);
}

}  // namespace
}  // namespace cpmu
