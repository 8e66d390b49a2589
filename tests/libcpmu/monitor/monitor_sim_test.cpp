// THEORY OF OPERATION: the monitor over the direct backend on cxlsim's
// built-in machine, in virtual time. The test moves the machine's clock to
// each deadline the monitor names and steps it, so every sample happens at a
// known instant and every delta, rate and total can be compared exactly with
// the simulator's ground truth. Faults (surprise removal) are injected
// between steps.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "cpmu/cdat_context.hpp"
#include "cpmu/counter_scheduler.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/monitor.hpp"
#include "cpmu/session.hpp"
#include "cxlsim/sim_platform.hpp"
#include "../platform/temp_dir.hpp"

namespace cpmu {
namespace {

constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kInterruptLatencyNs = kMs;

EventSelection spec_event(std::uint16_t gid, std::uint32_t mask) {
  EventSelection e;
  e.code = EventCode{kCxlVendorId, gid, mask};
  return e;
}

struct Wanted {
  const char* label;
  EventSelection event;
};
const std::vector<Wanted> kWanted = {
    {"clock_ticks", spec_event(0x0000, 0x1)},
    {"m2s_req_memrd", spec_event(0x0020, 0x2)},
    {"m2s_rwd_memwr", spec_event(0x0021, 0x2)},
};

// A root port whose 24-bit CPMU has no overflow interrupt, above one
// expander: clock_ticks at 1 GHz wraps it every 16.8 ms.
const char* const kNarrowPollingTopology = R"({"schema_version": 1, "host_bridges": [{"root_bus": "0x0c",
  "root_ports": [{"device": 0, "link": {"speed_gts": 32, "width": 8}, "clock_mhz": 1000,
    "cpmus": [{"width": 24, "event_caps": [{"vid": "0x1e98", "gid": "0x0000", "mask": "0x1"},
                                           {"vid": "0x1e98", "gid": "0x0020", "mask": "0x1f"}],
               "counters": [{"kind": "fixed", "cap": 0, "mask": "0x1"}, {"kind": "configurable"}],
               "interrupt": false, "freeze": true, "writable_when_frozen": true}],
    "endpoint": {"memory": [{"size": "4G"}], "clock_mhz": 1000,
      "traffic": {"phases": [{"duration_ms": 1000, "reads_per_s": 900000000, "writes_per_s": 1000000}]},
      "cpmus": [{"width": 48, "event_caps": [{"vid": "0x1e98", "gid": "0x0000", "mask": "0x1"}],
                 "counters": [{"kind": "fixed", "cap": 0, "mask": "0x1"}], "interrupt": true, "msi": 1,
                 "freeze": true, "writable_when_frozen": true}]}}]}]})";

class SimMonitor {
 public:
  // The built-in machine, or `topology` (written to a file, as a user gives
  // one), opened through the session as every front end opens it.
  explicit SimMonitor(const char* topology = nullptr) {
    SessionOptions options;
    options.source.backend = "sim";
    options.source.virtual_time = true;
    if (topology != nullptr) {
      options.source.topology_file = (topology_dir_.path() / "narrow.json").string();
      testing::write_file(options.source.topology_file, topology);
    }
    auto opened = Session::open(options);
    EXPECT_TRUE(opened) << opened.error().message();
    session_ = std::move(*opened);
  }
  ~SimMonitor() { monitor.reset(); }

  sim::SimulatedMachine& sim() { return dynamic_cast<sim::SimPlatform&>(session_->platform()).machine(); }
  std::uint64_t now() { return sim().now_ns(); }

  // Every CPMU with the kWanted events it counts without multiplexing.
  void start(std::chrono::nanoseconds interval, std::size_t at_least_cpmus = 4) {
    const DiscoveredMachine& machine = session_->machine();
    std::vector<CountTarget> targets;
    for (std::size_t f = 0; f < machine.functions.size(); ++f) {
      const DiscoveredFunction& function = machine.functions[f];
      for (std::size_t c = 0; c < function.cpmus.size(); ++c) {
        const Cpmu& cpmu = function.cpmus[c];
        ASSERT_TRUE(cpmu.capabilities) << cpmu.capabilities_unknown;
        std::vector<CountRequest> requests;
        for (const Wanted& w : kWanted) {
          CountRequest r{w.label, w.event};
          if (plan_counts(*cpmu.capabilities, {r}).counts[0].placement != Placement::kNotSupported) {
            requests.push_back(r);
          }
        }
        if (!requests.empty()) targets.push_back({{f, c}, std::move(requests), true});
      }
    }
    ASSERT_GE(targets.size(), at_least_cpmus);
    CountOptions options;
    options.monitor.interval = interval;
    options.monitor.drive = MonitorDrive::kManual;
    options.monitor.now = [m = &sim()] { return m->now_ns(); };
    auto counting = session_->count(std::move(targets), options);
    ASSERT_TRUE(counting) << counting.error().message();
    ASSERT_TRUE(counting->skipped.empty());
    monitor = std::move(counting->monitor);
    ASSERT_TRUE(monitor->start());
    // Snapshot 1, at the start: fixes the series layout and the baseline.
    monitor->sample_now();
    drain();
    baseline_ = truths();
  }

  // Moves virtual time to each of the monitor's deadlines until `until`,
  // never more than kInterruptLatencyNs at once: the monitor's own thread
  // wakes as soon as an overflow interrupt arrives, and a manual driver must
  // look about as often, or a fast 16-bit counter wraps twice unserviced.
  void run_until(std::uint64_t until) {
    while (now() < until) {
      const std::uint64_t deadline = std::min(monitor->next_deadline_ns().value(), until);
      const std::uint64_t target = std::min(deadline, now() + kInterruptLatencyNs);
      if (target > now()) {
        ASSERT_TRUE(sim().advance(target - now()));
      }
      ASSERT_TRUE(monitor->step());
    }
  }

  // Ground truth now for every series of the monitor (by snapshot order).
  std::vector<std::uint64_t> truths() {
    auto s = monitor->latest();
    std::vector<std::uint64_t> out;
    for (const SeriesValue& series : s->series) {
      const CpmuName& name = s->sources[series.info->source].identity->name;
      std::uint64_t sum = 0;
      for (unsigned bit = 0; bit < 32; ++bit) {
        if ((series.info->event.code.mask >> bit & 1u) == 0) continue;
        auto truth = sim().ground_truth(
            name.function, name.instance,
            sim::EventKey{series.info->event.code.vid, series.info->event.code.gid, static_cast<std::uint8_t>(bit)}, {});
        if (truth) sum += *truth;
      }
      out.push_back(sum);
    }
    return out;
  }
  std::uint64_t since_start(std::size_t series, const std::vector<std::uint64_t>& now_truth) {
    return now_truth[series] - baseline_[series];
  }

  std::vector<Notification> drain() {
    std::vector<Notification> all;
    while (auto n = monitor->next()) all.push_back(std::move(*n));
    return all;
  }

  std::unique_ptr<Monitor> monitor;
  std::vector<std::uint64_t> baseline_;

 private:
  testing::TempDir topology_dir_;
  std::unique_ptr<Session> session_;
};

TEST(MonitorOnSimulator, DeltasRatesAndTotalsMatchGroundTruthExactly) {
  SimMonitor rig;
  rig.start(std::chrono::milliseconds(100));
  std::vector<std::uint64_t> previous = rig.baseline_;
  std::uint64_t checked = 0;
  // Across the built-in traffic's first phase change, at 3 s.
  for (int i = 1; i <= 32; ++i) {
    rig.run_until(rig.now() + 100 * kMs);
    auto snapshot = rig.monitor->latest();
    ASSERT_EQ(snapshot->sequence, static_cast<std::uint64_t>(i) + 1) << "one scheduled sample per interval";
    const std::vector<std::uint64_t> truth = rig.truths();
    for (std::size_t s = 0; s < snapshot->series.size(); ++s) {
      const SeriesValue& series = snapshot->series[s];
      const SourceStatus& cpmu = snapshot->sources[series.info->source];
      SCOPED_TRACE(fmt::format("{} {} at {} ms", cpmu.identity->name.to_string(), series.info->label, rig.now() / kMs));
      ASSERT_EQ(cpmu.health, SourceHealth::kCounting) << cpmu.error;
      ASSERT_EQ(series.total.count.state, CountState::kCounted);
      EXPECT_TRUE(series.total.count.trusted) << series.total.count.doubt;
      EXPECT_EQ(series.total.count.raw, rig.since_start(s, truth));
      EXPECT_EQ(series.interval.count.raw, truth[s] - previous[s]);
      EXPECT_EQ(cpmu.interval_ns, 100 * kMs);
      ASSERT_TRUE(series.interval.rate);
      EXPECT_DOUBLE_EQ(*series.interval.rate, static_cast<double>(truth[s] - previous[s]) * 10.0);
      ++checked;
    }
    previous = truth;
  }
  EXPECT_GT(checked, 300u);
}

// Without an overflow interrupt only polling within the backend's service
// period keeps a narrow counter's total exact across wraps: the samples are
// 100 ms apart, the 24-bit counters wrap every 16.8 ms or faster. The clock
// (at most 1 per cycle, measured) needs a poll every 12.6 ms and stays exact;
// m2s_req_memrd could lap in 53 us at the rate bound (255 per cycle), far
// below the 1 ms a thread can keep (kMinPollingPeriod), so its wraps are
// flagged rather than polled for at 20 kHz.
TEST(MonitorOnSimulator, ServicePeriodKeepsNarrowCountersExactAcrossWraps) {
  SimMonitor rig(kNarrowPollingTopology);
  rig.start(std::chrono::milliseconds(100), 2);
  rig.run_until(rig.now() + 300 * kMs);
  auto snapshot = rig.monitor->latest();
  ASSERT_EQ(snapshot->sequence, 4u);
  const std::vector<std::uint64_t> truth = rig.truths();
  std::size_t wrapped = 0;
  for (std::size_t s = 0; s < snapshot->series.size(); ++s) {
    const SeriesValue& series = snapshot->series[s];
    SCOPED_TRACE(fmt::format("{} {}", snapshot->sources[series.info->source].identity->name.to_string(), series.info->label));
    const bool narrow = snapshot->sources[series.info->source].identity->name.function == PciAddress{0, 0x0c, 0, 0};
    if (narrow && std::string(series.info->label) != "clock_ticks") {
      EXPECT_FALSE(series.total.count.trusted);
      EXPECT_NE(series.total.count.doubt.find("it may have wrapped more than once"), std::string::npos)
          << series.total.count.doubt;
    } else {
      EXPECT_TRUE(series.total.count.trusted) << series.total.count.doubt;
      EXPECT_EQ(series.total.count.raw, rig.since_start(s, truth));
    }
    if (narrow) {
      EXPECT_GT(series.interval.count.raw, std::uint64_t{1} << 24);
      ++wrapped;
    }
  }
  EXPECT_EQ(wrapped, 2u);
}

TEST(MonitorOnSimulator, SurpriseRemovalEndsThatDevicesSeriesAndOthersKeepCounting) {
  SimMonitor rig;
  rig.start(std::chrono::milliseconds(100));
  rig.run_until(rig.now() + 300 * kMs);
  rig.drain();
  const PciAddress removed{0, 0x0f, 0, 0};   // the first memory expander behind the switch: two CPMUs
  ASSERT_TRUE(rig.sim().inject(removed, sim::SurpriseRemoval{}));
  std::vector<std::uint64_t> at_removal = rig.truths();
  auto before = rig.monitor->latest();
  rig.run_until(rig.now() + 500 * kMs);

  auto snapshot = rig.monitor->latest();
  const std::vector<std::uint64_t> truth = rig.truths();
  std::map<std::size_t, int> removal_events;
  for (const Notification& n : rig.drain()) {
    if (n.kind == NotificationKind::kDeviceRemoved) ++removal_events[n.cpmu.value()];
    EXPECT_NE(n.kind, NotificationKind::kDeviceError) << n.message;
  }
  std::size_t ended = 0, counting = 0;
  for (std::size_t c = 0; c < snapshot->sources.size(); ++c) {
    const SourceStatus& cpmu = snapshot->sources[c];
    if (cpmu.identity->name.function == removed) {
      EXPECT_EQ(cpmu.health, SourceHealth::kRemoved);
      EXPECT_EQ(removal_events[c], 1) << "one removal event per CPMU of the device";
      EXPECT_NE(cpmu.error.find("0000:0f:00.0"), std::string::npos) << cpmu.error;
    } else {
      EXPECT_EQ(cpmu.health, SourceHealth::kCounting) << cpmu.error;
      EXPECT_EQ(removal_events.count(c), 0u);
    }
  }
  for (std::size_t s = 0; s < snapshot->series.size(); ++s) {
    const SeriesValue& series = snapshot->series[s];
    SCOPED_TRACE(fmt::format("{} {}", snapshot->sources[series.info->source].identity->name.to_string(), series.info->label));
    if (snapshot->sources[series.info->source].identity->name.function == removed) {
      // Ended with the last total read before the removal.
      EXPECT_TRUE(series.ended);
      EXPECT_EQ(series.total.count.raw, before->series[s].total.count.raw);
      EXPECT_EQ(series.interval.count.raw, 0u);
      ++ended;
    } else {
      EXPECT_FALSE(series.ended);
      EXPECT_EQ(series.total.count.raw, rig.since_start(s, truth));
      if (series.info->label == std::string("clock_ticks")) {
        EXPECT_GT(truth[s], at_removal[s]);
      }
      ++counting;
    }
  }
  EXPECT_GT(ended, 0u);
  EXPECT_GT(counting, ended);
}

TEST(MonitorIdentity, CarriesTheKernelNamesAndTheFunctionsCdat) {
  auto platform = sim::open_sim_platform(std::nullopt, sim::ClockMode::kVirtual);
  ASSERT_TRUE(platform);
  auto machine = discover(**platform);
  ASSERT_TRUE(machine);
  std::size_t endpoint = machine->functions.size();
  for (std::size_t i = 0; i < machine->functions.size(); ++i) {
    if (machine->functions[i].info.address == PciAddress{0, 0x0f, 0, 0}) endpoint = i;
  }
  ASSERT_LT(endpoint, machine->functions.size());
  DiscoveredFunction& f = machine->functions[endpoint];
  f.memdev = "mem0";
  f.cpmus[1].kernel_device = "pmu_mem0.1";
  f.cpmus[1].perf_pmu = "cxl_pmu_mem0.1";
  CdatContext cdat;
  FunctionCdat table;
  table.function = endpoint;
  CdatRangePerf range;
  range.dpa_length = 4ull << 30;
  range.perf.read_bandwidth = 20'000'000'000;
  table.ranges.push_back(range);
  cdat.functions.push_back(table);

  const SourceIdentity identity = cpmu_identity(*machine, endpoint, f.cpmus[1], &cdat);
  EXPECT_EQ(identity.name.to_string(), "0000:0f:00.0/1");
  EXPECT_EQ(identity.kind, ComponentKind::kEndpoint);
  EXPECT_EQ(identity.memdev, "mem0");
  EXPECT_EQ(identity.kernel_device, "pmu_mem0.1");
  EXPECT_EQ(identity.perf_pmu, "cxl_pmu_mem0.1");
  ASSERT_EQ(identity.cdat_ranges.size(), 1u);
  EXPECT_EQ(identity.cdat_ranges[0].perf.read_bandwidth, 20'000'000'000u);
  EXPECT_TRUE(cpmu_identity(*machine, endpoint, f.cpmus[0]).cdat_ranges.empty()) << "no context given";
}

}  // namespace
}  // namespace cpmu
