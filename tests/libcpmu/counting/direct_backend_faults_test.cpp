// The direct backend under the simulator's faults: a vanished device, stuck
// counters (flagged where that can be proved), an interrupt storm.
#include <gtest/gtest.h>
#include <poll.h>

#include "sim_rig.hpp"

namespace cpmu::test {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

TEST(DirectBackendFaults, SurpriseRemovalIsDeviceGoneAndEarlierTotalsStand) {
  SimRig rig;
  ASSERT_RIG(rig);
  auto backend = rig.open({request("clock", kClockTicks), request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  ASSERT_TRUE(b.start());
  const std::uint64_t base = rig.truth(kMemRd);
  rig.advance(3 * kMs);
  Result<CountSample> before = b.read();
  ASSERT_TRUE(before);
  EXPECT_EQ(before->values[1].raw, rig.truth(kMemRd) - base);
  const CountSample kept = *before;

  ASSERT_TRUE(rig.machine().inject(kEndpoint, sim::SurpriseRemoval{}));
  rig.advance(kMs);
  const std::string gone = "0000:0d:00.0 CPMU 0: the device is gone (its CPMU registers read all ones); totals read "
                           "before stay valid";
  Result<CountSample> after = b.read();
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code(), Errc::kDeviceGone);
  EXPECT_EQ(after.error().message(), gone);
  Status serviced = b.service();
  ASSERT_FALSE(serviced);
  EXPECT_EQ(serviced.error().code(), Errc::kDeviceGone);
  EXPECT_EQ(b.read().error().code(), Errc::kDeviceGone);
  EXPECT_TRUE(b.stop());   // nothing left to disable
  EXPECT_EQ(kept.values[1].raw, before->values[1].raw);
  EXPECT_EQ(b.start().error().code(), Errc::kDeviceGone);
}

TEST(DirectBackendFaults, RemovalDuringStartIsDeviceGone) {
  SimRig rig;
  ASSERT_RIG(rig);
  auto backend = rig.open({request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  ASSERT_TRUE(rig.machine().inject(kEndpoint, sim::SurpriseRemoval{}));
  Status started = (*backend)->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), Errc::kDeviceGone);
}

// A clock_ticks counter must advance whenever time passes (the device clock
// is assumed to run at 1 MHz or more), but some devices update their
// counters only every 100 ms or so: a stall shorter than
// kStuckClockWindow (1 s) is no proof, a longer one is, and the doubt is
// withdrawn with a note once the counter moves again.
TEST(DirectBackendFaults, StuckClockCounterIsFlaggedOnlyAfterTheWindowAndWithdrawnWhenItAdvances) {
  SimRig rig;
  ASSERT_RIG(rig);
  auto backend = rig.open({request("clock", kClockTicks), request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  ASSERT_TRUE(b.start());
  rig.advance(2 * kMs);
  ASSERT_TRUE(b.read());
  const auto stall = [&](unsigned ms) {
    ASSERT_TRUE(rig.machine().inject(kEndpoint, sim::StuckCounter{0, 0}));
    for (unsigned t = 0; t < ms; t += 10) {
      rig.advance(10 * kMs);
      ASSERT_TRUE(b.read());
    }
  };
  // A 300 ms step, as a coarse device takes: never in doubt.
  stall(300);
  EXPECT_TRUE(values_of(b)[0].trusted) << values_of(b)[0].doubt;
  ASSERT_TRUE(rig.machine().inject(kEndpoint, sim::StuckCounter{0, 0, false}));
  rig.advance(10 * kMs);
  std::vector<CountValue> values = values_of(b);
  EXPECT_TRUE(values[0].trusted) << values[0].doubt;
  EXPECT_EQ(values[0].note, "");
  // 1.2 s without a tick: stuck.
  stall(1200);
  values = values_of(b);
  EXPECT_FALSE(values[0].trusted);
  EXPECT_EQ(values[0].doubt.rfind("clock_ticks counter 0 did not advance in 1", 0), 0u) << values[0].doubt;
  EXPECT_NE(values[0].doubt.find("the counter is stuck"), std::string::npos) << values[0].doubt;
  EXPECT_TRUE(values[1].trusted) << values[1].doubt;
  // It moves again: the doubt goes, a note says why.
  ASSERT_TRUE(rig.machine().inject(kEndpoint, sim::StuckCounter{0, 0, false}));
  rig.advance(10 * kMs);
  values = values_of(b);
  EXPECT_TRUE(values[0].trusted) << values[0].doubt;
  EXPECT_EQ(values[0].note.rfind("clock_ticks counter 0 did not advance for 1", 0), 0u) << values[0].note;
  EXPECT_NE(values[0].note.find("the doubt was withdrawn"), std::string::npos) << values[0].note;
}

// A stuck event counter looks like an idle event: nothing proves it wrong
// while it runs (docs/counting.md). Zeroing it does: at the next start() it
// still holds its value, which a frozen counter cannot.
TEST(DirectBackendFaults, StuckEventCounterIsFlaggedOnlyOnceAWriteProvesIt) {
  SimRig rig;
  ASSERT_RIG(rig);
  auto backend = rig.open({request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  ASSERT_TRUE(b.start());
  rig.advance(2 * kMs);
  ASSERT_TRUE(rig.machine().inject(kEndpoint, sim::StuckCounter{0, 1}));
  rig.advance(2 * kMs);
  CountValue running = values_of(b)[0];
  EXPECT_TRUE(running.trusted);            // not provable
  EXPECT_EQ(running.raw, 2'000u);          // what it held when it stuck
  ASSERT_TRUE(b.start());
  CountValue restarted = values_of(b)[0];
  EXPECT_FALSE(restarted.trusted);
  EXPECT_EQ(restarted.doubt, "counter 1 read 2000 right after it was zeroed while frozen: it ignores writes (stuck?)");
}

TEST(DirectBackendFaults, StuckCounterIsCaughtWhenMultiplexingZeroesIt) {
  CpmuTopology t;
  t.counters = R"({"kind": "configurable"})";
  SimRig rig(t);
  ASSERT_RIG(rig);
  DirectBackendOptions options = rig.options();
  options.rotation_period = std::chrono::milliseconds(1);
  auto backend = rig.open({request("memrd", kMemRd), request("drs", kDrsMemData)}, options);
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  ASSERT_TRUE(b.start());
  rig.advance(kMs);
  ASSERT_TRUE(rig.machine().inject(kEndpoint, sim::StuckCounter{0, 0}));
  ASSERT_TRUE(b.service());   // rotates drs onto the stuck counter
  std::vector<CountValue> values = values_of(b);
  EXPECT_FALSE(values[1].trusted);
  EXPECT_EQ(values[1].doubt, "counter 0 read 1000 right after it was zeroed while frozen: it ignores writes (stuck?)");
}

// The CPMU's vector fires every 1 ms with no overflow bit set. The backend
// keeps consuming it (so a poll() loop does not spin), stops reading
// registers for it once it is a storm, and flags every value.
TEST(DirectBackendFaults, InterruptStormIsSurvivedRateLimitedAndReported) {
  SimRig rig;
  ASSERT_RIG(rig);
  auto backend = rig.open({request("clock", kClockTicks), request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  ASSERT_TRUE(b.start());
  ASSERT_EQ(b.service_period(), std::chrono::nanoseconds::zero());
  const std::uint64_t base = rig.truth(kMemRd);
  ASSERT_TRUE(rig.machine().inject(kEndpoint, sim::InterruptStormFault{0}));
  rig.machine().reset_access_counts();
  const int fd = b.service_fds().at(0);
  unsigned services = 0;
  for (int step = 0; step < 1000; ++step) {
    rig.advance(kMs);
    ASSERT_TRUE(readable(fd));
    ASSERT_TRUE(b.service());
    EXPECT_FALSE(readable(fd));   // consumed: no busy loop for the caller
    ++services;
  }
  // One snapshot (2 counters + 3) per interrupt until the storm was
  // recognised after 64 of them, then none.
  EXPECT_LE(rig.cpmu_accesses(), 70u * 5);
  EXPECT_GT(b.service_period().count(), 0);   // polled from now on
  std::vector<CountValue> values = values_of(b);
  for (const CountValue& v : values) {
    EXPECT_FALSE(v.trusted);
    EXPECT_EQ(v.doubt.rfind("interrupt storm: ", 0), 0u) << v.doubt;
  }
  EXPECT_EQ(values[1].raw, rig.truth(kMemRd) - base);   // still exact
  EXPECT_EQ(services, 1000u);
  EXPECT_GE(rig.machine().interrupt_count(kEndpoint, 1).value(), 1000u);
}

TEST(DirectBackendFaults, ReadsBetweenServicesKeepTotalsExactAndRaiseNoStorm) {
  CpmuTopology t;
  t.width = 16;
  t.counters = R"({"kind": "configurable"})";
  t.traffic = R"({"phases": [{"duration_ms": 1000, "reads_per_s": 20000000}]})";
  SimRig rig(t);
  ASSERT_RIG(rig);
  auto backend = rig.open({request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  CounterBackend& b = **backend;
  ASSERT_TRUE(b.start());
  const std::uint64_t base = rig.truth(kMemRd);
  // Service only every other tick and read in between: reads take the
  // interrupts of the wraps they account for, services find none pending.
  for (int step = 0; step < 300; ++step) {
    rig.advance(kMs);
    if (step % 2 == 0) {
      ASSERT_TRUE(b.service());
    } else {
      ASSERT_TRUE(b.read());
    }
  }
  CountValue v = values_of(b)[0];
  EXPECT_TRUE(v.trusted) << v.doubt;
  EXPECT_EQ(v.raw, rig.truth(kMemRd) - base);
}

// The CPMU's interrupt message number lies beyond the MSI-X vectors of its
// function: discovery reports it on the function, and the backend polls
// rather than wait for interrupts that cannot arrive.
TEST(DirectBackendFaults, InterruptMessageBeyondTheFunctionsVectorsIsAProblemAndThatCpmuIsPolled) {
  SimRig normal;
  ASSERT_RIG(normal);
  EXPECT_TRUE(normal.function().problems.empty());
  CpmuTopology t;
  t.faults = R"("msix_vectors": 1)";   // the rig's CPMU uses message 1
  SimRig rig(t);
  ASSERT_RIG(rig);
  std::vector<std::string> problems;
  for (const Error& e : rig.function().problems) problems.push_back(e.message());
  EXPECT_EQ(problems, std::vector<std::string>{"cpmu0: overflow interrupts use message 1, beyond the 1 interrupt "
                                               "vectors of the function: they cannot arrive, so this CPMU is polled"});
  auto backend = rig.open({request("memrd", kMemRd)});
  ASSERT_TRUE(backend);
  EXPECT_TRUE((*backend)->service_fds().empty());
  EXPECT_GT((*backend)->service_period().count(), 0);
}

}  // namespace
}  // namespace cpmu::test
