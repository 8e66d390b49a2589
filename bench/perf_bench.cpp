// Perf-backend sampling cost, and the ratio it is judged by:
//   - one sample through the perf backend (one read() of a group of 8
//     software events of this task) against a bare loop making the same
//     read() on a group opened the same way, in alternating batches (goal
//     <= 1.10x: the backend adds no more than 10% to the syscall);
//   - for comparison, one sample of 8 counters through the direct backend
//     on a simulated CPMU (virtual time).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "counting/direct_backend.hpp"
#include "cpmu/discovery.hpp"
#include "cxlsim/sim_platform.hpp"
#include "perf/perf_backend.hpp"

namespace {

constexpr unsigned kEvents = 8;

[[noreturn]] void fail(const std::string& message) {
  fmt::print(stderr, "perf_bench: {}\n", message);
  std::exit(1);
}

std::uint64_t thread_cpu_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(t.tv_nsec);
}

// Software events of this task (PERF_COUNT_SW_* 0..7), any user may open.
std::vector<cpmu::PerfCount> software_counts() {
  std::vector<cpmu::PerfCount> counts;
  for (unsigned i = 0; i < kEvents; ++i) {
    cpmu::PerfCount c;
    c.label = fmt::format("sw{}", i);
    c.config.config = i;
    counts.push_back(c);
  }
  return counts;
}

cpmu::CounterBackend& perf_backend() {
  static std::unique_ptr<cpmu::CounterBackend> backend = [] {
    auto pmu = cpmu::read_perf_pmu("/sys/bus/event_source/devices/software");
    if (!pmu) fail(pmu.error().message());
    cpmu::PerfBackendOptions options;
    options.task = 0;
    options.groups = {{0, 1, 2, 3, 4, 5, 6, 7}};
    auto opened = cpmu::open_perf_backend(*pmu, software_counts(), options);
    if (!opened) fail(opened.error().message());
    if (!(*opened)->start()) fail("cannot start the perf backend");
    return std::move(*opened);
  }();
  return *backend;
}

// The same group, opened by hand, for the bare loop.
struct BareGroup {
  std::vector<int> fds;
  std::vector<std::uint64_t> buffer = std::vector<std::uint64_t>(3 + 2 * kEvents);
  BareGroup() {
    for (unsigned i = 0; i < kEvents; ++i) {
      perf_event_attr attr{};
      attr.size = sizeof attr;
      attr.type = PERF_TYPE_SOFTWARE;
      attr.config = i;
      attr.read_format =
          PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID | PERF_FORMAT_GROUP;
      attr.disabled = fds.empty() ? 1 : 0;
      const int fd = static_cast<int>(
          ::syscall(SYS_perf_event_open, &attr, 0, -1, fds.empty() ? -1 : fds[0], PERF_FLAG_FD_CLOEXEC));
      if (fd < 0) fail("perf_event_open for the bare loop failed");
      fds.push_back(fd);
    }
    ::ioctl(fds[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
  }
  void read() { benchmark::DoNotOptimize(::read(fds[0], buffer.data(), buffer.size() * sizeof buffer[0])); }
};

BareGroup& bare() {
  static BareGroup group;
  return group;
}

void BM_PerfBackendSample(benchmark::State& state) {
  cpmu::CounterBackend& backend = perf_backend();
  for (auto _ : state) benchmark::DoNotOptimize(backend.read());
}
BENCHMARK(BM_PerfBackendSample)->Unit(benchmark::kMicrosecond);

void BM_BareGroupRead(benchmark::State& state) {
  BareGroup& group = bare();
  for (auto _ : state) group.read();
}
BENCHMARK(BM_BareGroupRead)->Unit(benchmark::kMicrosecond);

// Alternating batches, so both see the same machine load.
void BM_PerfBackendAgainstBareRead(benchmark::State& state) {
  constexpr int kBatch = 64;
  cpmu::CounterBackend& backend = perf_backend();
  BareGroup& group = bare();
  std::uint64_t backend_ns = 0, bare_ns = 0;
  for (auto _ : state) {
    const std::uint64_t t0 = thread_cpu_ns();
    for (int i = 0; i < kBatch; ++i) benchmark::DoNotOptimize(backend.read());
    const std::uint64_t t1 = thread_cpu_ns();
    for (int i = 0; i < kBatch; ++i) group.read();
    const std::uint64_t t2 = thread_cpu_ns();
    backend_ns += t1 - t0;
    bare_ns += t2 - t1;
  }
  state.counters["perf_over_bare_read"] = static_cast<double>(backend_ns) / static_cast<double>(bare_ns);
}
BENCHMARK(BM_PerfBackendAgainstBareRead)->Unit(benchmark::kMicrosecond);

void BM_DirectBackendSample(benchmark::State& state) {
  static auto platform = cpmu::sim::open_sim_platform(std::nullopt, cpmu::sim::ClockMode::kVirtual);
  if (!platform) fail(platform.error().message());
  static auto machine = cpmu::discover(**platform);
  if (!machine) fail(machine.error().message());
  static std::unique_ptr<cpmu::CounterBackend> backend = [] {
    for (const auto& f : machine->functions) {
      for (const auto& c : f.cpmus) {
        if (!c.capabilities || c.capabilities->counter_count < kEvents) continue;
        std::vector<cpmu::CountRequest> requests(kEvents);
        for (auto& r : requests) {
          r.label = "clock_ticks";
          r.event.code = cpmu::EventCode{0x1e98, 0, 1};
        }
        auto opened = cpmu::open_direct_backend(**platform, f, c, requests);
        if (!opened) fail(opened.error().message());
        if (!(*opened)->start()) fail("cannot start the direct backend");
        return std::move(*opened);
      }
    }
    fail("no simulated CPMU with 8 counters");
  }();
  for (auto _ : state) benchmark::DoNotOptimize(backend->read());
}
BENCHMARK(BM_DirectBackendSample)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
