// The session on every machine source (the simulated machine, an lspci dump
// of it, a fake Linux sysfs tree holding its registers), with CPMUs the
// kernel's driver owns or another process holds: no path through the public
// API programs them, checked in the simulator's own access counts and in the
// fake tree's register file.
#include "cpmu/session.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "../platform/fake_sysfs.hpp"
#include "../platform/temp_dir.hpp"
#include "cpmu/lspci_text.hpp"
#include "cxlsim/sim_platform.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;

const PciAddress kExpander{0, 0x0f, 0, 0};   // default machine: a memory device with two CPMUs

SessionOptions sim_options() {
  SessionOptions options;
  options.source.backend = "sim";
  options.source.virtual_time = true;
  return options;
}

std::unique_ptr<Session> open(SessionOptions options) {
  auto session = Session::open(std::move(options));
  EXPECT_TRUE(session) << session.error().message();
  return session ? std::move(*session) : nullptr;
}

sim::SimulatedMachine& sim_of(Session& session) { return dynamic_cast<sim::SimPlatform&>(session.platform()).machine(); }

CpmuRef cpmu_at(const Session& session, const PciAddress& address, unsigned instance) {
  const auto& functions = session.machine().functions;
  for (std::size_t f = 0; f < functions.size(); ++f) {
    if (functions[f].info.address != address) continue;
    for (std::size_t c = 0; c < functions[f].cpmus.size(); ++c) {
      if (functions[f].cpmus[c].instance == instance) return {f, c};
    }
  }
  ADD_FAILURE() << "no CPMU " << address.to_string() << "/" << instance;
  return {};
}

CountTarget clock_ticks(const CpmuRef& cpmu, bool required = true) {
  CountRequest request;
  request.label = "clock_ticks";
  request.event.code = EventCode{0x1e98, 0x00, 0x01};
  return {cpmu, {request}, required};
}

// /sys/bus/cxl (and event_source) as the kernel shows them when cxl_pmu is
// bound to CPMU 0 of `function`.
SysfsRoots kernel_owning_cpmu0(const fs::path& root, const PciAddress& function) {
  const fs::path device = root / "devices" / "pci0000:0c" / function.to_string() / "pmu_mem0.0";
  fs::create_directories(device / "driver");
  fs::create_directories(root / "bus" / "cxl" / "devices");
  fs::create_directory_symlink(device, root / "bus" / "cxl" / "devices" / "pmu_mem0.0");
  fs::create_directories(root / "bus" / "event_source" / "devices" / "cxl_pmu_mem0.0");
  SysfsRoots roots;
  roots.cxl = (root / "bus" / "cxl").string();
  roots.event_source = (root / "bus" / "event_source").string();
  return roots;
}

TEST(Session, OpensTheSimulatedMachineByNameLikeAnyBackend) {
  auto session = open(sim_options());
  ASSERT_TRUE(session);
  EXPECT_STREQ(session->backend().name, "sim");
  EXPECT_FALSE(session->backend().live);
  EXPECT_EQ(session->platform().name(), "sim");
  EXPECT_FALSE(session->topology().host_bridges.empty());
  const CpmuRef second = cpmu_at(*session, kExpander, 1);
  EXPECT_EQ(session->machine().functions[second.function].cpmus.size(), 2u);
  EXPECT_NE(session->catalogue().catalogue.find_event("clock_ticks"), nullptr);
  EXPECT_TRUE(session->kernel().pmus.empty()) << "a simulated machine has no kernel views unless given one";
}

TEST(Session, UnknownBackendListsEveryRegisteredOne) {
  SessionOptions options;
  options.source.backend = "vfio";
  auto session = Session::open(options);
  ASSERT_FALSE(session);
  EXPECT_NE(session.error().message().find("linux, dump, sim"), std::string::npos) << session.error().message();
}

TEST(Session, ABadTopologyFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  testing::write_file(dir / "bad.json", "{\"host_bridges\": [");
  SessionOptions options = sim_options();
  options.source.topology_file = (dir / "bad.json").string();
  auto session = Session::open(options);
  ASSERT_FALSE(session);
  EXPECT_NE(session.error().message().find("bad.json"), std::string::npos) << session.error().message();
}

TEST(Session, CountsAndReturnsAMonitorInTargetOrder) {
  auto session = open(sim_options());
  ASSERT_TRUE(session);
  sim::SimulatedMachine& machine = sim_of(*session);
  CountOptions options;
  options.monitor.now = [&machine] { return machine.now_ns(); };
  options.monitor.drive = MonitorDrive::kManual;
  options.monitor.interval = std::chrono::milliseconds(10);
  const CpmuRef a = cpmu_at(*session, kExpander, 1), b = cpmu_at(*session, kExpander, 0);
  auto counting = session->count({clock_ticks(a), clock_ticks(b)}, options);
  ASSERT_TRUE(counting) << counting.error().message();
  ASSERT_TRUE(counting->monitor);
  EXPECT_EQ(counting->cpmus, (std::vector<CpmuRef>{a, b}));
  EXPECT_TRUE(counting->skipped.empty());
  ASSERT_TRUE(counting->monitor->start());
  ASSERT_TRUE(machine.advance(20'000'000));
  auto snapshot = counting->monitor->sample_now();
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->series.size(), 2u);
  for (const SeriesValue& s : snapshot->series) EXPECT_GT(s.total.count.raw, 0u) << s.info->label;
  counting->monitor->stop();
}

TEST(Session, AKernelOwnedCpmuIsRefusedAndNeverProgrammed) {
  testing::TempDir dir;
  SessionOptions options = sim_options();
  options.kernel = kernel_owning_cpmu0(dir.path(), kExpander);
  auto session = open(options);
  ASSERT_TRUE(session);
  const CpmuRef owned = cpmu_at(*session, kExpander, 0), free = cpmu_at(*session, kExpander, 1);
  const Cpmu& owned_cpmu = session->machine().functions[owned.function].cpmus[owned.cpmu];
  EXPECT_EQ(owned_cpmu.owner.kind, CpmuOwnerKind::kKernel);
  EXPECT_EQ(owned_cpmu.perf_pmu, "cxl_pmu_mem0.0");
  sim::SimulatedMachine& machine = sim_of(*session);
  machine.reset_access_counts();

  // Named, it fails the count through the direct backend and says who owns
  // it and what to use instead.
  CountOptions direct;
  direct.backend = BackendChoice::kDirect;
  auto refused = session->count({clock_ticks(owned), clock_ticks(free)}, direct);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("0000:0f:00.0/0: cannot count: owned by the kernel's cxl_pmu driver"),
            std::string::npos)
      << refused.error().message();
  EXPECT_NE(refused.error().message().find("perf stat -a -e cxl_pmu_mem0.0/EVENT/"), std::string::npos);
  EXPECT_NE(refused.error().message().find("--backend perf"), std::string::npos);
  // Automatically it goes to the perf backend, which this tree's PMU (no
  // type file) cannot serve: the reason says both.
  auto automatic = session->count({clock_ticks(owned)}, {});
  ASSERT_FALSE(automatic);
  EXPECT_NE(automatic.error().message().find("counted through its perf PMU cxl_pmu_mem0.0; but the perf backend "
                                             "cannot open it: "),
            std::string::npos)
      << automatic.error().message();

  // Asked to keep going, it counts the free CPMU of the same device.
  CountOptions keep_going;
  keep_going.keep_going = true;
  keep_going.backend = BackendChoice::kDirect;
  keep_going.monitor.now = [&machine] { return machine.now_ns(); };
  keep_going.monitor.drive = MonitorDrive::kManual;
  auto counting = session->count({clock_ticks(owned), clock_ticks(free)}, keep_going);
  ASSERT_TRUE(counting) << counting.error().message();
  EXPECT_EQ(counting->cpmus, (std::vector<CpmuRef>{free}));
  ASSERT_EQ(counting->skipped.size(), 1u);
  EXPECT_EQ(counting->skipped[0].name, "0000:0f:00.0/0");
  ASSERT_TRUE(counting->monitor->start());
  ASSERT_TRUE(machine.advance(5'000'000));
  counting->monitor->sample_now();
  counting->monitor->stop();

  auto owned_accesses = machine.access_counts(kExpander, sim::BlockKind::kCpmu, 0);
  auto free_accesses = machine.access_counts(kExpander, sim::BlockKind::kCpmu, 1);
  ASSERT_TRUE(owned_accesses && free_accesses);
  EXPECT_EQ(owned_accesses->writes, 0u) << "the kernel's CPMU was written to";
  EXPECT_EQ(owned_accesses->reads, 0u) << "the kernel's CPMU was read";
  EXPECT_GT(free_accesses->writes, 0u);
}

TEST(Session, ACpmuAnotherProcessHoldsIsSkippedNamingTheHolder) {
  testing::TempDir locks;
  ASSERT_EQ(::setenv("CPMU_LOCK_DIR", locks.path().c_str(), 1), 0);
  auto first = open(sim_options());
  ASSERT_TRUE(first);
  const CpmuRef cpmu = cpmu_at(*first, kExpander, 1);
  auto holding = first->count({clock_ticks(cpmu)}, {});
  ASSERT_TRUE(holding) << holding.error().message();

  auto second = open(sim_options());
  ASSERT_TRUE(second);
  const Cpmu& seen = second->machine().functions[cpmu.function].cpmus[cpmu.cpmu];
  EXPECT_EQ(seen.owner.kind, CpmuOwnerKind::kProcess);
  auto refused = second->count({clock_ticks(cpmu)}, {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("in use by another cpmu process " + std::to_string(::getpid())),
            std::string::npos)
      << refused.error().message();
  ::unsetenv("CPMU_LOCK_DIR");
}

TEST(Session, WithoutCpmuLockDirASimulatedMachineLocksPrivately) {
  ::unsetenv("CPMU_LOCK_DIR");
  auto first = open(sim_options());
  auto second = open(sim_options());
  ASSERT_TRUE(first && second);
  const std::vector<std::string>& dirs = first->lock_directories();
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_NE(dirs, second->lock_directories()) << "two simulated machines are two machines";
  struct stat info {};
  ASSERT_EQ(::lstat(dirs[0].c_str(), &info), 0);
  EXPECT_TRUE(S_ISDIR(info.st_mode));
  EXPECT_EQ(info.st_mode & 0077, 0u) << "the private lock directory is the caller's alone";
  const std::string kept = dirs[0];
  first.reset();
  EXPECT_FALSE(fs::exists(kept)) << "the private lock directory goes with its session";
}

TEST(Session, ADumpOfTheMachineCountsNothingAndSaysWhy) {
  auto sim = sim::open_sim_platform(std::nullopt, sim::ClockMode::kVirtual);
  ASSERT_TRUE(sim);
  auto text = format_lspci_dump(**sim);
  ASSERT_TRUE(text);
  testing::TempDir dir;
  testing::write_file(dir / "machine.txt", *text);

  SessionOptions options;
  options.source.backend = "dump";
  options.source.dump_file = (dir / "machine.txt").string();
  auto session = open(options);
  ASSERT_TRUE(session);
  EXPECT_FALSE(session->backend().live);
  const CpmuRef cpmu = cpmu_at(*session, kExpander, 0);
  auto refused = session->count({clock_ticks(cpmu)}, {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("0000:0f:00.0/0: cannot count: capabilities unknown"), std::string::npos)
      << refused.error().message();
}

// A Linux sysfs tree holding the simulated memory device: its config space
// and BAR 2 (both CPMU blocks) as the resource file the kernel exposes.
TEST(Session, OnLinuxAKernelOwnedCpmuIsRefusedAndItsRegistersStayUntouched) {
  auto sim = sim::open_sim_platform(std::nullopt, sim::ClockMode::kVirtual);
  ASSERT_TRUE(sim);
  sim::SimulatedMachine& machine = (*sim)->machine();
  auto info = machine.function(kExpander);
  auto config = machine.config_bytes(kExpander);
  ASSERT_TRUE(info && config);
  testing::TempDir dir;
  testing::FakeSysfs pci(dir / "pci");
  std::vector<testing::FakeBar> bars;
  std::vector<std::uint8_t> bar2;
  for (const BarInfo& bar : info->bars) {
    bars.push_back({bar.index, bar.base, bar.size, testing::kResourceMem64});
    if (bar.index != 2) continue;
    for (std::uint64_t at = 0; at < bar.size; at += 4) {
      auto value = machine.mmio_read(kExpander, 2, at, 4);
      ASSERT_TRUE(value);
      for (unsigned b = 0; b < 4; ++b) bar2.push_back(static_cast<std::uint8_t>(*value >> (8 * b)));
    }
  }
  ASSERT_FALSE(bar2.empty());
  pci.add_function(kExpander.to_string(), *config, bars);
  pci.add_resource_file(kExpander.to_string(), 2, bar2);

  SessionOptions options;
  options.source.sysfs_root = pci.root().string();
  options.kernel = kernel_owning_cpmu0(dir / "kernel", kExpander);
  auto session = open(options);
  ASSERT_TRUE(session);
  EXPECT_TRUE(session->backend().live);
  const CpmuRef owned = cpmu_at(*session, kExpander, 0);
  const Cpmu& cpmu = session->machine().functions[owned.function].cpmus[owned.cpmu];
  ASSERT_TRUE(cpmu.capabilities) << cpmu.capabilities_unknown;
  EXPECT_EQ(cpmu.owner.kind, CpmuOwnerKind::kKernel);
  CountOptions keep_going;
  keep_going.keep_going = true;
  keep_going.backend = BackendChoice::kDirect;
  auto counting = session->count({clock_ticks(owned)}, keep_going);
  ASSERT_TRUE(counting) << counting.error().message();
  ASSERT_TRUE(counting->monitor);
  EXPECT_TRUE(counting->cpmus.empty());
  EXPECT_EQ(counting->monitor->series_count(), 0u);
  ASSERT_EQ(counting->skipped.size(), 1u);
  EXPECT_NE(counting->skipped[0].reason.find("cxl_pmu"), std::string::npos);
  EXPECT_EQ(testing::read_binary(pci.device_dir(kExpander.to_string()) / "resource2"), bar2)
      << "the kernel-owned CPMU's registers were written";
}

}  // namespace
}  // namespace cpmu
