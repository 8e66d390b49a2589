// A CounterBackend the test scripts completely, for the monitor's own logic
// (scheduling, notifications, poll/next agreement, failure handling). Counts
// whose accuracy matters are tested against the simulator with the direct
// backend instead (monitor_sim_test.cpp).
#pragma once

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "cpmu/counting.hpp"
#include "cpmu/monitor.hpp"

namespace cpmu::testing {

// What the test changes while the monitor runs; shared with the backend.
struct FakeScript {
  std::mutex mutex;
  std::vector<CountValue> values;        // returned by read(), stamped with the clock
  std::optional<Error> start_error;      // start() fails with this while set
  std::optional<Error> read_error;       // read() fails with this while set
  std::optional<Error> service_error;    // service() fails with this while set
  std::chrono::nanoseconds period{0};
  std::atomic<int> services{0};
  std::atomic<int> reads{0};
  std::atomic<bool> stopped{false};
  int service_fd = -1;                   // an eventfd the test raises; consumed by service()

  ~FakeScript() {
    if (service_fd >= 0) ::close(service_fd);
  }

  void raise_service_fd() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(service_fd, &one, sizeof one);
  }
};

class FakeBackend final : public CounterBackend {
 public:
  FakeBackend(std::shared_ptr<FakeScript> script, CountPlan plan, NowFunction now)
      : script_(std::move(script)), plan_(std::move(plan)), now_(std::move(now)) {}

  std::string_view kind() const override { return "fake"; }
  const CountPlan& plan() const override { return plan_; }
  CountPlan& mutable_plan() { return plan_; }
  Status start() override {
    std::lock_guard lock(script_->mutex);
    if (script_->start_error) return *script_->start_error;
    script_->stopped = false;
    return {};
  }
  Status stop() override {
    script_->stopped = true;
    return {};
  }
  Result<CountSample> read() override {
    std::lock_guard lock(script_->mutex);
    ++script_->reads;
    if (script_->read_error) return *script_->read_error;
    return CountSample{now_(), script_->values};
  }
  std::vector<int> service_fds() const override {
    return script_->service_fd >= 0 ? std::vector<int>{script_->service_fd} : std::vector<int>{};
  }
  Status service() override {
    ++script_->services;
    if (script_->service_fd >= 0) {
      std::uint64_t drained = 0;
      [[maybe_unused]] auto got = ::read(script_->service_fd, &drained, sizeof drained);
    }
    std::lock_guard lock(script_->mutex);
    if (script_->service_error) return *script_->service_error;
    return {};
  }
  std::chrono::nanoseconds service_period() const override { return script_->period; }

 private:
  std::shared_ptr<FakeScript> script_;
  CountPlan plan_;
  NowFunction now_;
};

// A counted value as a non-multiplexed counter reports it.
inline CountValue counted(std::uint64_t raw, std::uint64_t enabled_ns) {
  CountValue value;
  value.state = CountState::kCounted;
  value.raw = raw;
  value.time_enabled_ns = enabled_ns;
  value.time_running_ns = enabled_ns;
  return value;
}

// Whether poll() says `fd` (the monitor's) is readable now.
inline bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

// A manual clock for monitors driven by step().
struct ManualClock {
  std::shared_ptr<std::atomic<std::uint64_t>> ns = std::make_shared<std::atomic<std::uint64_t>>(0);
  NowFunction function() const {
    return [ns = ns] { return ns->load(); };
  }
  void advance(std::uint64_t by) { ns->fetch_add(by); }
};

// A started monitor over `cpmus` that step() drives on `clock`, sampling
// every `interval_ns`; null (and a test failure) if it cannot be made.
inline std::unique_ptr<Monitor> started_manual_monitor(std::vector<MonitoredCpmu> cpmus, MonitorOptions options,
                                                       const ManualClock& clock, std::uint64_t interval_ns) {
  options.interval = std::chrono::nanoseconds(interval_ns);
  options.drive = MonitorDrive::kManual;
  options.now = clock.function();
  auto created = Monitor::create(std::move(cpmus), std::move(options));
  EXPECT_TRUE(created) << created.error().message();
  if (!created) return nullptr;
  std::unique_ptr<Monitor> monitor = std::move(*created);
  EXPECT_TRUE(monitor->start());
  return monitor;
}

// One CPMU of `labels.size()` configurable requests on a FakeBackend.
inline MonitoredCpmu fake_cpmu(const std::shared_ptr<FakeScript>& script, std::vector<std::string> labels,
                               const NowFunction& now, unsigned instance = 0) {
  MonitoredCpmu cpmu;
  cpmu.identity.name = CpmuName{PciAddress{0, 0x0d, 0, 0}, instance};
  CountPlan plan;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    CountRequest request;
    request.label = labels[i];
    request.event.code = EventCode{0x1e98, 0x20, 1u << i};
    cpmu.requests.push_back(request);
    PlannedCount planned;
    planned.placement = Placement::kConfigurable;
    planned.counter = static_cast<unsigned>(i);
    plan.counts.push_back(planned);
  }
  if (script->service_fd < 0) script->service_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  script->values.assign(labels.size(), counted(0, 0));
  cpmu.backend = std::make_unique<FakeBackend>(script, std::move(plan), now);
  return cpmu;
}

}  // namespace cpmu::testing
