// The demo's default machine in real time, as `cpmu stat` counts it: every
// CPMU of every function with a direct backend, register reads of 500 ns
// and interrupts 100 us late, serviced from one thread that poll()s the
// interrupt fds and keeps to service_period(), sampled at 10 Hz, for 10 s.
// Time is held while the backends start and at the final sample, so every
// count has one exact ground truth: each unflagged total must equal it.
// Flagged totals are printed (honest doubt on a loaded machine is allowed).
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "counting/direct_backend.hpp"
#include "cpmu/discovery.hpp"
#include "cxlsim/sim_platform.hpp"
#include "sim_rig.hpp"

namespace cpmu::test {
namespace {

constexpr auto kRunFor = std::chrono::seconds(10);
constexpr auto kSampleEvery = std::chrono::milliseconds(100);

struct Counted {
  PciAddress address;
  unsigned cpmu = 0;
  std::vector<CountRequest> requests;
  std::unique_ptr<CounterBackend> backend;
  std::vector<std::uint64_t> truth_at_start;
};

// What each counter of the CPMU can take without multiplexing: fixed and
// free-running counters their own event, configurable ones the events of
// the capabilities in order.
std::vector<CountRequest> requests_for(const CpmuCapabilities& caps) {
  std::vector<CountRequest> out;
  std::vector<EventSelection> taken;
  const auto add = [&](std::uint16_t vid, std::uint16_t gid, std::uint32_t mask) {
    EventSelection e;
    e.code = EventCode{vid, gid, mask};
    if (std::find(taken.begin(), taken.end(), e) != taken.end()) return false;
    taken.push_back(e);
    out.push_back({fmt::format("{:#x}/{:#x}/{:#x}", vid, gid, mask), e});
    return true;
  };
  unsigned configurable = 0;
  for (const CounterInfo& c : caps.counters) {
    if (c.type == CounterType::kConfigurable) {
      ++configurable;
    } else if (c.type != CounterType::kReserved && c.event_group_index < caps.event_capabilities.size()) {
      const EventCapability& cap = caps.event_capabilities[c.event_group_index];
      add(cap.vendor_id, cap.group_id, c.events);
    }
  }
  for (const EventCapability& cap : caps.event_capabilities) {
    for (unsigned bit = 0; bit < 32 && configurable > 0; ++bit) {
      if (((cap.supported_events >> bit) & 1) != 0 && add(cap.vendor_id, cap.group_id, 1u << bit)) --configurable;
    }
  }
  return out;
}

std::uint64_t truth(sim::SimulatedMachine& m, const Counted& c, const EventSelection& e) {
  std::uint64_t sum = 0;
  for (unsigned bit = 0; bit < 32; ++bit) {
    if (((e.code.mask >> bit) & 1) == 0) continue;
    sum += m.ground_truth(c.address, c.cpmu, sim::EventKey{e.code.vid, e.code.gid, static_cast<std::uint8_t>(bit)},
                          sim::FilterSelection{e.hdm_decoder, e.channel_rank_bank})
               .value();
  }
  return sum;
}

TEST(DefaultMachineRealTime, EveryUnflaggedTotalEqualsGroundTruth) {
  Result<std::unique_ptr<sim::SimPlatform>> opened = sim::open_sim_platform(std::nullopt, sim::ClockMode::kReal);
  ASSERT_TRUE(opened) << opened.error().message();
  sim::SimPlatform& platform = **opened;
  sim::SimulatedMachine& machine = platform.machine();
  sim::SimTiming timing;
  timing.register_access_ns = 500;
  timing.interrupt_latency_ns = 100'000;
  ASSERT_TRUE(machine.set_timing(timing));
  Result<DiscoveredMachine> found = discover(platform);
  ASSERT_TRUE(found) << found.error().message();
  const std::string locks = fresh_lock_directory();
  std::vector<Counted> counted;
  for (const DiscoveredFunction& f : found->functions) {
    for (std::size_t i = 0; i < f.cpmus.size(); ++i) {
      if (!f.cpmus[i].capabilities) continue;
      Counted c;
      c.address = f.info.address;
      c.cpmu = static_cast<unsigned>(i);
      c.requests = requests_for(*f.cpmus[i].capabilities);
      DirectBackendOptions options;
      options.now = [&machine] { return machine.now_ns(); };
      options.lock_directories = {locks};
      auto backend = open_direct_backend(platform, f, f.cpmus[i], c.requests, options);
      ASSERT_TRUE(backend) << backend.error().message();
      c.backend = std::move(*backend);
      counted.push_back(std::move(c));
    }
  }
  ASSERT_GE(counted.size(), 10u);
  // All start at one held instant, which is their ground truth's start.
  ASSERT_TRUE(machine.hold_time(true));
  for (Counted& c : counted) {
    ASSERT_TRUE(c.backend->start());
    for (const CountRequest& r : c.requests) c.truth_at_start.push_back(truth(machine, c, r.event));
  }
  ASSERT_TRUE(machine.hold_time(false));

  std::vector<pollfd> fds;
  std::chrono::nanoseconds period = std::chrono::milliseconds(100);
  for (const Counted& c : counted) {
    for (int fd : c.backend->service_fds()) fds.push_back({fd, POLLIN, 0});
    if (c.backend->service_period() > std::chrono::nanoseconds::zero()) period = std::min(period, c.backend->service_period());
  }
  const auto end = std::chrono::steady_clock::now() + kRunFor;
  auto next_sample = std::chrono::steady_clock::now() + kSampleEvery;
  while (std::chrono::steady_clock::now() < end) {
    ::poll(fds.data(), fds.size(), static_cast<int>(std::max<std::int64_t>(1, period.count() / 1'000'000)));
    for (Counted& c : counted) ASSERT_TRUE(c.backend->service());
    if (std::chrono::steady_clock::now() >= next_sample) {
      for (Counted& c : counted) ASSERT_TRUE(c.backend->read());
      next_sample += kSampleEvery;
    }
  }

  ASSERT_TRUE(machine.hold_time(true));
  unsigned trusted = 0, flagged = 0;
  for (Counted& c : counted) {
    Result<CountSample> sample = c.backend->read();
    ASSERT_TRUE(sample) << sample.error().message();
    for (std::size_t i = 0; i < c.requests.size(); ++i) {
      const CountValue& v = sample->values[i];
      if (v.state != CountState::kCounted) continue;
      const std::uint64_t exact = truth(machine, c, c.requests[i].event) - c.truth_at_start[i];
      if (v.trusted) {
        ++trusted;
        EXPECT_EQ(v.raw, exact) << c.address.to_string() << " CPMU " << c.cpmu << " " << c.requests[i].label;
      } else {
        ++flagged;
        std::printf("flagged: %s CPMU %u %s: %s (exact %llu, got %llu)\n", c.address.to_string().c_str(), c.cpmu,
                    c.requests[i].label.c_str(), v.doubt.c_str(), static_cast<unsigned long long>(exact),
                    static_cast<unsigned long long>(v.raw));
      }
    }
  }
  std::printf("%u totals exact and unflagged, %u flagged\n", trusted, flagged);
  EXPECT_GT(trusted, 0u);
  counted.clear();
  std::filesystem::remove_all(locks);
}

}  // namespace
}  // namespace cpmu::test
