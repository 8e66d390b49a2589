// The perf backend end to end on this machine's real kernel PMUs, through the
// same code path that opens cxl_pmu events: the software PMU (as any user,
// counting this task; system-wide as root), msr as root, the kernel
// rejecting an event, a refused permission as an unprivileged user, and a
// kernel-owned simulated CPMU counted through Session::count() on a PMU tree
// whose type is the software PMU's.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../platform/temp_dir.hpp"
#include "cpmu/host_cpu.hpp"
#include "cpmu/session.hpp"
#include "cxlsim/sim_platform.hpp"
#include "perf/cpmu_perf_backend.hpp"
#include "perf/perf_backend.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;

// PERF_COUNT_SW_*: the software PMU's config values (linux/perf_event.h).
constexpr std::uint64_t kCpuClock = 0, kTaskClock = 1, kPageFaults = 2;

PerfPmu software_pmu() {
  auto pmu = read_perf_pmu("/sys/bus/event_source/devices/software");
  EXPECT_TRUE(pmu) << pmu.error().message();
  return pmu ? *pmu : PerfPmu{};
}

PerfCount count(std::string label, std::uint64_t config) {
  PerfCount c;
  c.label = std::move(label);
  c.config.config = config;
  return c;
}

void busy_for(std::chrono::milliseconds how_long) {
  const auto end = std::chrono::steady_clock::now() + how_long;
  volatile std::uint64_t sink = 0;
  while (std::chrono::steady_clock::now() < end) {
    std::vector<char> touch(1 << 16, 1);  // page faults too
    sink = sink + static_cast<std::uint64_t>(touch[100]);
  }
}

bool system_wide_allowed() {
  if (::geteuid() == 0) return true;
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  int paranoid = 2;
  in >> paranoid;
  return paranoid <= 0;
}

TEST(PerfBackend, CountsThisTaskOnTheSoftwarePmuAsAnyUser) {
  const PerfPmu pmu = software_pmu();
  PerfBackendOptions options;
  options.task = 0;
  auto backend = open_perf_backend(pmu, {count("task-clock", kTaskClock), count("page-faults", kPageFaults)}, options);
  ASSERT_TRUE(backend) << backend.error().message();
  EXPECT_EQ((*backend)->kind(), "perf");
  ASSERT_EQ((*backend)->plan().counts.size(), 2u);
  EXPECT_EQ((*backend)->plan().counts[0].placement, Placement::kConfigurable);
  ASSERT_TRUE((*backend)->start());
  busy_for(std::chrono::milliseconds(50));
  auto first = (*backend)->read();
  ASSERT_TRUE(first) << first.error().message();
  busy_for(std::chrono::milliseconds(50));
  auto second = (*backend)->read();
  ASSERT_TRUE(second);
  ASSERT_TRUE((*backend)->stop());
  const CountValue& clock = second->values[0];
  EXPECT_EQ(clock.state, CountState::kCounted);
  EXPECT_GT(clock.time_running_ns, 0u);
  EXPECT_LE(clock.time_running_ns, clock.time_enabled_ns);
  // task-clock counts the nanoseconds this task ran, and a task's event is
  // enabled and running exactly while the task runs (however loaded the
  // machine): the three agree to timer granularity.
  EXPECT_GT(clock.raw, 1'000'000u);
  EXPECT_NEAR(static_cast<double>(clock.raw), static_cast<double>(clock.time_running_ns), 0.02 * clock.time_running_ns);
  EXPECT_GE(clock.raw, first->values[0].raw);
  EXPECT_GT(second->values[1].raw, 0u) << "page faults";
  // After stop() the totals stay readable and stop moving.
  auto after = (*backend)->read();
  ASSERT_TRUE(after);
  busy_for(std::chrono::milliseconds(10));
  auto later = (*backend)->read();
  EXPECT_EQ(after->values[0].raw, later->values[0].raw);
}

TEST(PerfBackend, OneGroupIsOneReadWithSharedTimes) {
  const PerfPmu pmu = software_pmu();
  PerfBackendOptions options;
  options.task = 0;
  options.groups = {{0, 1}};
  auto backend = open_perf_backend(pmu, {count("task-clock", kTaskClock), count("page-faults", kPageFaults)}, options);
  ASSERT_TRUE(backend) << backend.error().message();
  ASSERT_TRUE((*backend)->start());
  busy_for(std::chrono::milliseconds(30));
  auto sample = (*backend)->read();
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->values[0].time_enabled_ns, sample->values[1].time_enabled_ns);
  EXPECT_EQ(sample->values[0].time_running_ns, sample->values[1].time_running_ns);
  EXPECT_GT(sample->values[0].raw, 0u);
}

TEST(PerfBackend, AnEventTheKernelRejectsIsNotSupportedAndTheRestCount) {
  const PerfPmu pmu = software_pmu();
  PerfBackendOptions options;
  options.task = 0;
  auto backend = open_perf_backend(pmu, {count("bogus", 0xffff), count("task-clock", kTaskClock)}, options);
  ASSERT_TRUE(backend) << backend.error().message();
  const PlannedCount& bogus = (*backend)->plan().counts[0];
  EXPECT_EQ(bogus.placement, Placement::kNotSupported);
  EXPECT_NE(bogus.reason.find("the kernel's software driver rejects it (bogus:"), std::string::npos) << bogus.reason;
  ASSERT_TRUE((*backend)->start());
  busy_for(std::chrono::milliseconds(20));
  auto sample = (*backend)->read();
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->values[0].state, CountState::kNotSupported);
  EXPECT_EQ(sample->values[1].state, CountState::kCounted);
}

TEST(PerfBackend, SystemWideSoftwareClockSumsEveryOnlineCpu) {
  if (!system_wide_allowed()) GTEST_SKIP() << "system-wide counting needs root or perf_event_paranoid <= 0";
  const PerfPmu pmu = software_pmu();
  auto backend = open_perf_backend(pmu, {count("cpu-clock", kCpuClock)});
  ASSERT_TRUE(backend) << backend.error().message();
  ASSERT_TRUE((*backend)->start());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto sample = (*backend)->read();
  ASSERT_TRUE(sample);
  const CountValue& v = sample->values[0];
  EXPECT_EQ(v.state, CountState::kCounted);
  // cpu-clock counts wall time on each CPU: the sum is the summed enabled time.
  EXPECT_NEAR(static_cast<double>(v.raw), static_cast<double>(v.time_enabled_ns), 0.05 * v.time_enabled_ns);
  EXPECT_GE(v.time_enabled_ns, 100'000'000u * std::thread::hardware_concurrency() * 9 / 10);
}

TEST(PerfBackend, MsrTimestampCounterAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "msr events need root";
  auto pmu = read_perf_pmu("/sys/bus/event_source/devices/msr");
  if (!pmu) GTEST_SKIP() << "no msr PMU here";
  const PerfEventAlias* tsc = pmu->find_event("tsc");
  ASSERT_NE(tsc, nullptr);
  auto config = pmu->encode(tsc->terms, "tsc");
  ASSERT_TRUE(config);
  PerfCount c;
  c.label = "tsc";
  c.config = *config;
  auto backend = open_perf_backend(*pmu, {c});
  ASSERT_TRUE(backend) << backend.error().message();
  ASSERT_TRUE((*backend)->start());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto sample = (*backend)->read();
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->values[0].state, CountState::kCounted);
  // At least 100 MHz of timestamp counter on each CPU for 50 ms.
  EXPECT_GT(sample->values[0].raw, 5'000'000u);
}

// Multiplexing with enabled/running: more events than the cpu PMU has
// counters. Needs a cpu PMU (a VM without a virtual PMU has none).
TEST(PerfBackend, MultiplexesMoreEventsThanCpuCounters) {
  auto pmu = read_perf_pmu("/sys/bus/event_source/devices/cpu");
  if (!pmu) GTEST_SKIP() << "no cpu PMU here (a VM without a virtual PMU)";
  if (!system_wide_allowed()) GTEST_SKIP() << "needs root or perf_event_paranoid <= 0";
  std::vector<PerfCount> counts;
  for (int i = 0; i < 16; ++i) counts.push_back(count("cycles" + std::to_string(i), 0x3c));  // event=0x3c
  auto backend = open_perf_backend(*pmu, counts);
  ASSERT_TRUE(backend) << backend.error().message();
  ASSERT_TRUE((*backend)->start());
  busy_for(std::chrono::milliseconds(300));
  auto sample = (*backend)->read();
  ASSERT_TRUE(sample);
  bool multiplexed = false;
  for (const CountValue& v : sample->values) {
    EXPECT_LE(v.time_running_ns, v.time_enabled_ns);
    multiplexed = multiplexed || v.time_running_ns < v.time_enabled_ns;
  }
  EXPECT_TRUE(multiplexed);
}

TEST(PerfBackend, PermissionMessageNamesTheSysctlCapabilityAndFix) {
  testing::TempDir dir;
  testing::write_file(dir / "paranoid", "2\n");
  const std::string message = perf_permission_message("perf_event_open on x", EACCES, (dir / "paranoid").string());
  EXPECT_NE(message.find("kernel.perf_event_paranoid is 2"), std::string::npos) << message;
  EXPECT_NE(message.find("CAP_PERFMON"), std::string::npos);
  EXPECT_NE(message.find("sudo sysctl -w kernel.perf_event_paranoid=0"), std::string::npos);
  EXPECT_NE(message.find("setcap cap_perfmon+ep"), std::string::npos);
}

// As an unprivileged user where the sysctl forbids system-wide counting, the
// kernel's refusal comes back as that message.
TEST(PerfBackend, RefusedSystemWideCountingAsAnUnprivilegedUser) {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  int paranoid = 0;
  in >> paranoid;
  if (paranoid <= 0) GTEST_SKIP() << "perf_event_paranoid allows everyone here";
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become an unprivileged user for the check";
  const PerfPmu pmu = software_pmu();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    auto backend = open_perf_backend(pmu, {count("cpu-clock", kCpuClock)});
    if (backend) ::_exit(1);
    const std::string& m = backend.error().message();
    const bool named = backend.error().code() == Errc::kPermissionDenied &&
                       m.find("kernel.perf_event_paranoid is " + std::to_string(paranoid)) != std::string::npos &&
                       m.find("perf_event_open on software (system-wide, CPU 0)") != std::string::npos;
    ::_exit(named ? 0 : 2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: counted anyway, 2: another error, 3: could not drop privileges";
}

// ---- A kernel-owned CPMU through the session ------------------------------

const PciAddress kExpander{0, 0x0f, 0, 0};

// The kernel's layout for CPMU 0 of kExpander (the PMU below pmu_mem0.0 below
// the PCI function), with cxl_pmu's format fields and the software PMU's
// type: so its "events" are software events (vid=0,gid=0,mask=N is config N)
// and the kernel really counts them.
SysfsRoots kernel_tree(const fs::path& root) {
  const fs::path function = root / "devices" / "pci0000:0c" / kExpander.to_string();
  const fs::path pmu = function / "pmu_mem0.0" / "cxl_pmu_mem0.0";
  fs::create_directories(function / "pmu_mem0.0" / "driver");
  fs::create_directories(pmu / "format");
  testing::write_file(pmu / "type", "1\n");
  for (auto [name, bits] : std::initializer_list<std::pair<const char*, const char*>>{
           {"mask", "config:0-31"}, {"gid", "config:32-47"}, {"vid", "config:48-63"}}) {
    testing::write_file(pmu / "format" / name, std::string(bits) + "\n");
  }
  fs::create_directories(root / "bus" / "cxl" / "devices");
  fs::create_directory_symlink(function / "pmu_mem0.0", root / "bus" / "cxl" / "devices" / "pmu_mem0.0");
  fs::create_directories(root / "bus" / "event_source" / "devices");
  fs::create_directory_symlink(pmu, root / "bus" / "event_source" / "devices" / "cxl_pmu_mem0.0");
  SysfsRoots roots;
  roots.cxl = (root / "bus" / "cxl").string();
  roots.event_source = (root / "bus" / "event_source").string();
  return roots;
}

TEST(PerfBackendSession, AKernelOwnedCpmuCountsThroughThePerfBackendAndIsNeverTouched) {
  if (!system_wide_allowed()) GTEST_SKIP() << "system-wide counting needs root or perf_event_paranoid <= 0";
  testing::TempDir dir;
  SessionOptions options;
  options.source.backend = "sim";
  options.source.virtual_time = true;
  options.kernel = kernel_tree(dir.path());
  auto session = Session::open(options);
  ASSERT_TRUE(session) << session.error().message();
  CpmuRef owned{};
  bool found = false;
  const auto& functions = (*session)->machine().functions;
  for (std::size_t f = 0; f < functions.size(); ++f) {
    for (std::size_t c = 0; c < functions[f].cpmus.size(); ++c) {
      if (functions[f].info.address == kExpander && functions[f].cpmus[c].instance == 0) {
        owned = {f, c};
        found = true;
      }
    }
  }
  ASSERT_TRUE(found);
  const Cpmu& cpmu = functions[owned.function].cpmus[owned.cpmu];
  EXPECT_EQ(decide_backend(cpmu).backend, "perf");
  EXPECT_EQ(decide_backend(cpmu, BackendChoice::kDirect).backend, "");
  auto pmu = perf_pmu_cxl_device(options.kernel->event_source + "/devices/cxl_pmu_mem0.0");
  ASSERT_TRUE(pmu);
  EXPECT_EQ(pmu->kernel_device, "pmu_mem0.0");
  EXPECT_EQ(pmu->function, kExpander);
  EXPECT_EQ(pmu->instance, 0u);

  auto& machine = dynamic_cast<sim::SimPlatform&>((*session)->platform()).machine();
  machine.reset_access_counts();
  CountRequest request;
  request.label = "task-clock";
  request.event.code = EventCode{0, 0, static_cast<std::uint32_t>(kTaskClock)};
  CountOptions count_options;
  count_options.monitor.drive = MonitorDrive::kManual;
  // Two requests in one {a,b} group: one perf group, so the kernel enables
  // and runs them together.
  request.group = 0;
  CountRequest faults = request;
  faults.label = "page-faults";
  faults.event.code.mask = static_cast<std::uint32_t>(kPageFaults);
  auto counting = (*session)->count({{owned, {request, faults}, true}}, count_options);
  ASSERT_TRUE(counting) << counting.error().message();
  ASSERT_TRUE(counting->monitor->start());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto snapshot = counting->monitor->sample_now();
  counting->monitor->stop();
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->series.size(), 2u);
  const CountValue& v = snapshot->series[0].total.count;
  EXPECT_EQ(v.state, CountState::kCounted);
  EXPECT_GT(v.time_enabled_ns, 0u);
  EXPECT_EQ(snapshot->series[1].total.count.time_enabled_ns, v.time_enabled_ns) << "not one perf group";
  auto accesses = machine.access_counts(kExpander, sim::BlockKind::kCpmu, 0);
  ASSERT_TRUE(accesses);
  EXPECT_EQ(accesses->reads + accesses->writes, 0u) << "the kernel's CPMU registers were touched";
}

}  // namespace
}  // namespace cpmu

namespace cpmu {
namespace {

// ---- Host CPU events through libpfm4 ---------------------------------------

bool has_cpu_pmu() { return fs::exists("/sys/bus/event_source/devices/cpu"); }

TEST(HostCpuEvents, NamesLibpfm4KnowsAreKnownOthersAreNamedWithTheReason) {
  EXPECT_TRUE(host_cpu_event_known("cycles")) << "libpfm4's generic perf events include cycles everywhere";
  EXPECT_TRUE(host_cpu_event_known("cpu-clock"));
  auto unknown = host_cpu_event_known("no_such_cpu_event_xyz");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("libpfm4 does not know 'no_such_cpu_event_xyz' on this CPU"),
            std::string::npos)
      << unknown.error().message();
  EXPECT_NE(unknown.error().message().find("its PMUs here: "), std::string::npos);
}

// Counted system-wide on every CPU: cpu-clock always; cycles where the
// machine has a cpu PMU, else <not supported> with the reason; an unknown
// name <not supported>; the rest still count.
TEST(HostCpuEvents, CountsWhatTheMachineHasAndSaysWhyNotForTheRest) {
  if (!system_wide_allowed()) GTEST_SKIP() << "system-wide counting needs root or perf_event_paranoid <= 0";
  auto host = open_host_cpu_events({"cpu-clock", "cycles", "no_such_cpu_event_xyz"});
  ASSERT_TRUE(host) << host.error().message();
  EXPECT_EQ(host->identity.source_kind, SourceKind::kHostCpu);
  ASSERT_EQ(host->requests.size(), 3u);
  const CountPlan& plan = host->backend->plan();
  EXPECT_EQ(plan.counts[0].placement, Placement::kConfigurable);
  EXPECT_EQ(plan.counts[2].placement, Placement::kNotSupported);
  EXPECT_NE(plan.counts[2].reason.find("libpfm4 does not know"), std::string::npos);
  if (has_cpu_pmu()) {
    EXPECT_NE(plan.counts[1].placement, Placement::kNotSupported) << plan.counts[1].reason;
  } else {
    EXPECT_EQ(plan.counts[1].placement, Placement::kNotSupported);
    EXPECT_NE(plan.counts[1].reason.find("no cpu PMU"), std::string::npos) << plan.counts[1].reason;
  }
  ASSERT_TRUE(host->backend->start());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto sample = host->backend->read();
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->values[0].state, CountState::kCounted);
  EXPECT_GT(sample->values[0].raw, 40'000'000u);  // >= 50 ms of cpu-clock over the CPUs
  EXPECT_EQ(sample->values[2].state, CountState::kNotSupported);
  // The monitor takes it as a host CPU source beside CPMUs.
  std::vector<MonitoredCpmu> sources(1);
  sources[0].identity = host->identity;
  sources[0].requests = host->requests;
  ASSERT_TRUE(host->backend->stop());
  sources[0].backend = std::move(host->backend);
  MonitorOptions monitor;
  monitor.drive = MonitorDrive::kManual;
  auto created = Monitor::create(std::move(sources), monitor);
  ASSERT_TRUE(created) << created.error().message();
}

}  // namespace
}  // namespace cpmu
