// Discovery against cxlsim's built-in default machine (sim/topologies/
// default.json): every CPMU with every capability field, literal values
// from that file; the same machine read back from its own lspci -xxxx dump;
// and the simulator's injectable faults.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <unistd.h>

#include "cpmu/discovery.hpp"
#include "cpmu/lspci_text.hpp"
#include "cpmu/topology.hpp"
#include "cxlsim/sim_platform.hpp"

namespace cpmu {
namespace {

using sim::ClockMode;

std::unique_ptr<sim::SimPlatform> open_default(const std::function<void(sim::TopologySpec&)>& change = {}) {
  auto spec = sim::default_topology();
  EXPECT_TRUE(spec) << spec.error().message();
  if (change) change(*spec);
  auto platform = sim::open_sim_platform(*spec, ClockMode::kVirtual);
  EXPECT_TRUE(platform) << platform.error().message();
  return std::move(*platform);
}

struct Discovered {
  DiscoveredMachine machine;
  Topology topology;
  std::map<std::string, const DiscoveredFunction*> by_bdf;
};

Discovered discover_all(Platform& platform) {
  auto machine = discover(platform);
  EXPECT_TRUE(machine) << machine.error().message();
  Discovered d{std::move(*machine), {}, {}};
  d.topology = build_topology(d.machine);
  for (const auto& fn : d.machine.functions) d.by_bdf[fn.info.address.to_string()] = &fn;
  return d;
}

// The default machine, as docs/simulator-model.md numbers it: host bridge 0c;
// root port 0c:00.0 -> USP 0d:00.0 -> DSPs 0e:00.0..0e:03.0 -> endpoints
// 0f:00.0, 10:00.0, 11:00.0 (port 3 empty, bus 12); root port 0c:01.0 ->
// endpoint 13:00.0.
TEST(SimDiscovery, DefaultMachineTreeAndKinds) {
  auto platform = open_default();
  auto d = discover_all(*platform);
  ASSERT_EQ(d.machine.functions.size(), 11u);
  ASSERT_EQ(d.topology.host_bridges.size(), 1u);
  EXPECT_EQ(d.topology.host_bridges[0].name(), "pci0000:0c");
  const std::map<std::string, std::pair<ComponentKind, std::string>> expected = {
      {"0000:0c:00.0", {ComponentKind::kRootPort, ""}},
      {"0000:0d:00.0", {ComponentKind::kSwitchUpstreamPort, "0000:0c:00.0"}},
      {"0000:0e:00.0", {ComponentKind::kSwitchDownstreamPort, "0000:0d:00.0"}},
      {"0000:0e:01.0", {ComponentKind::kSwitchDownstreamPort, "0000:0d:00.0"}},
      {"0000:0e:02.0", {ComponentKind::kSwitchDownstreamPort, "0000:0d:00.0"}},
      {"0000:0e:03.0", {ComponentKind::kSwitchDownstreamPort, "0000:0d:00.0"}},
      {"0000:0f:00.0", {ComponentKind::kEndpoint, "0000:0e:00.0"}},
      {"0000:10:00.0", {ComponentKind::kEndpoint, "0000:0e:01.0"}},
      {"0000:11:00.0", {ComponentKind::kEndpoint, "0000:0e:02.0"}},
      {"0000:0c:01.0", {ComponentKind::kRootPort, ""}},
      {"0000:13:00.0", {ComponentKind::kEndpoint, "0000:0c:01.0"}},
  };
  for (std::size_t i = 0; i < d.machine.functions.size(); ++i) {
    const auto& fn = d.machine.functions[i];
    std::string bdf = fn.info.address.to_string();
    ASSERT_TRUE(expected.count(bdf)) << bdf;
    EXPECT_EQ(fn.kind, expected.at(bdf).first) << bdf;
    std::string parent = d.topology.parent[i] ? d.machine.functions[*d.topology.parent[i]].info.address.to_string() : "";
    EXPECT_EQ(parent, expected.at(bdf).second) << bdf;
    EXPECT_TRUE(fn.problems.empty()) << bdf << ": " << fn.problems.front().message();
    EXPECT_TRUE(fn.is_cxl()) << bdf;
  }
  EXPECT_EQ(d.by_bdf["0000:0f:00.0"]->serial_number, 0x1001u);
  EXPECT_EQ(d.by_bdf["0000:13:00.0"]->serial_number, 0x1004u);
  ASSERT_TRUE(d.by_bdf["0000:0c:00.0"]->link);
  EXPECT_EQ(d.by_bdf["0000:0c:00.0"]->link->speed, 5u);   // 32 GT/s
  EXPECT_EQ(d.by_bdf["0000:0c:00.0"]->link->width, 16u);
  EXPECT_EQ(d.by_bdf["0000:0e:01.0"]->link->speed, 4u);   // 16 GT/s
  EXPECT_EQ(d.by_bdf["0000:0e:02.0"]->link->width, 4u);
  EXPECT_EQ(d.by_bdf["0000:0d:00.0"]->doe_mailboxes.size(), 1u);
  EXPECT_EQ(d.by_bdf["0000:11:00.0"]->doe_mailboxes.size(), 1u);
  EXPECT_TRUE(d.by_bdf["0000:0e:00.0"]->doe_mailboxes.empty());
}

struct ExpectedCounter {
  CounterType type;
  std::uint32_t events = 0;
  unsigned group = 0;
};
const ExpectedCounter kConf{CounterType::kConfigurable};

struct ExpectedCpmu {
  std::string bdf;
  unsigned instance, bir;
  std::uint64_t offset;
  unsigned width;
  std::vector<EventCapability> caps;
  std::vector<ExpectedCounter> counters;
  std::uint8_t filters;
  bool interrupt;
  unsigned msi;
  bool freeze, writable_when_frozen;
};

// Literal values from sim/topologies/default.json; block locations from
// docs/simulator-model.md (ports: BAR 0, endpoints: BAR 2, CPMU i at 0x10000·(i+1)).
const std::vector<ExpectedCpmu> kDefaultCpmus = {
    {"0000:0c:00.0", 0, 0, 0x10000, 32,
     {{0x1e98, 0x0000, 0x1}, {0x1e98, 0x0020, 0x1f}, {0x1e98, 0x0021, 0x36}, {0x1e98, 0x0025, 0x3}},
     {{CounterType::kFixed, 0x1, 0}, kConf, kConf, kConf}, 0, false, 0, true, true},
    {"0000:0d:00.0", 0, 0, 0x10000, 48,
     {{0x1e98, 0x0020, 0x1f}, {0x1e98, 0x0021, 0x36}, {0x1e98, 0x0024, 0x1f}, {0x1e98, 0x0025, 0x3},
      {0x1e98, 0x0000, 0x1}},
     {kConf, kConf, kConf, kConf, {CounterType::kFreeRunning, 0x1, 3}}, 0x1, true, 3, true, true},
    {"0000:0e:00.0", 0, 0, 0x10000, 32,
     {{0x1e98, 0x0020, 0x1f}, {0x1e98, 0x0021, 0x36}, {0x1e98, 0x0000, 0x1}},
     {{CounterType::kFixed, 0x1, 2}, kConf, kConf, kConf}, 0, false, 0, false, false},
    {"0000:0f:00.0", 0, 2, 0x10000, 48,
     {{0x1e98, 0x0020, 0x1f}, {0x1e98, 0x0021, 0x36}, {0x1e98, 0x0024, 0x1f}, {0x1e98, 0x0025, 0x3},
      {0x1e98, 0x0000, 0x1}, {0x1b36, 0x0001, 0xf}},
     {{CounterType::kFixed, 0x1, 4}, kConf, kConf, kConf, kConf, kConf, kConf, {CounterType::kFreeRunning, 0x2, 5}},
     0x1, true, 1, true, true},
    {"0000:0f:00.0", 1, 2, 0x20000, 32,
     {{0x1e98, 0x8000, 0x1f}, {0x1e98, 0x0000, 0x1}},
     {kConf, kConf, kConf, kConf, {CounterType::kFixed, 0x1, 1}, {CounterType::kFreeRunning, 0x10, 0}}, 0x2, true, 2,
     true, true},
    {"0000:0e:01.0", 0, 0, 0x10000, 16,
     {{0x1e98, 0x0025, 0x3}, {0x1e98, 0x0024, 0x1f}},
     {kConf, kConf, kConf, kConf}, 0, true, 1, false, false},
    {"0000:10:00.0", 0, 2, 0x10000, 16,
     {{0x1e98, 0x0020, 0x1f}, {0x1e98, 0x0025, 0x3}},
     {kConf, kConf, kConf, {CounterType::kFixed, 0x1, 1}}, 0, true, 3, false, false},
    {"0000:11:00.0", 0, 2, 0x10000, 48,
     {{0x1e98, 0x0020, 0x1f}, {0x1e98, 0x0021, 0x36}, {0x1e98, 0x8000, 0x1f}, {0x1b36, 0x0001, 0xf},
      {0x1e98, 0x0000, 0x1}},
     {kConf, kConf, kConf, kConf, {CounterType::kFixed, 0x1, 4}, {CounterType::kFreeRunning, 0xf, 3}}, 0x3, true, 4,
     true, true},
    {"0000:0c:01.0", 0, 0, 0x10000, 16,
     {{0x1e98, 0x0020, 0x1f}, {0x1e98, 0x0024, 0x1f}},
     {kConf, kConf, kConf, {CounterType::kFixed, 0x1, 1}}, 0, true, 2, false, false},
    {"0000:13:00.0", 0, 2, 0x10000, 32,
     {{0x1e98, 0x0020, 0x1f}, {0x1e98, 0x0021, 0x36}, {0x1e98, 0x0024, 0x1f}, {0x1e98, 0x0025, 0x3},
      {0x1e98, 0x8000, 0x1f}, {0x1e98, 0x0000, 0x1}, {0x1b36, 0x0001, 0xf}},
     {kConf, kConf, kConf, kConf, kConf, kConf, {CounterType::kFixed, 0x1, 5}, {CounterType::kFixed, 0x1, 6}}, 0x1,
     true, 5, true, true},
    {"0000:13:00.0", 1, 2, 0x20000, 48,
     {{0x1b36, 0x0001, 0xf}, {0x1e98, 0x0000, 0x1}},
     {kConf, kConf, kConf, {CounterType::kFixed, 0x1, 1}}, 0, false, 0, false, false},
};

TEST(SimDiscovery, EveryCpmuOfTheDefaultMachineWithEveryCapabilityField) {
  auto platform = open_default();
  auto d = discover_all(*platform);
  std::size_t total = 0;
  for (const auto& fn : d.machine.functions) total += fn.cpmus.size();
  EXPECT_EQ(total, kDefaultCpmus.size());
  for (const auto& want : kDefaultCpmus) {
    SCOPED_TRACE(want.bdf + " cpmu" + std::to_string(want.instance));
    ASSERT_TRUE(d.by_bdf.count(want.bdf));
    const auto& fn = *d.by_bdf[want.bdf];
    ASSERT_GT(fn.cpmus.size(), want.instance);
    const Cpmu& cpmu = fn.cpmus[want.instance];
    EXPECT_EQ(cpmu.instance, want.instance);
    EXPECT_EQ(cpmu.block.bir, want.bir);
    EXPECT_EQ(cpmu.block.offset, want.offset);
    ASSERT_TRUE(cpmu.capabilities) << cpmu.capabilities_unknown;
    const auto& c = *cpmu.capabilities;
    EXPECT_EQ(c.counter_count, want.counters.size());
    EXPECT_EQ(c.counter_width, want.width);
    EXPECT_EQ(c.event_capability_count, want.caps.size());
    EXPECT_EQ(c.filters, want.filters);
    EXPECT_EQ(c.interrupt, want.interrupt);
    EXPECT_EQ(c.interrupt_message, want.msi);
    EXPECT_EQ(c.freeze, want.freeze);
    EXPECT_EQ(c.writable_when_frozen, want.writable_when_frozen);
    EXPECT_EQ(c.version, 1u);   // the default of docs/topology-format.md; default.json sets none
    ASSERT_EQ(c.event_capabilities.size(), want.caps.size());
    for (std::size_t i = 0; i < want.caps.size(); ++i) {
      EXPECT_EQ(c.event_capabilities[i].vendor_id, want.caps[i].vendor_id) << "cap " << i;
      EXPECT_EQ(c.event_capabilities[i].group_id, want.caps[i].group_id) << "cap " << i;
      EXPECT_EQ(c.event_capabilities[i].supported_events, want.caps[i].supported_events) << "cap " << i;
    }
    ASSERT_EQ(c.counters.size(), want.counters.size());
    for (std::size_t n = 0; n < want.counters.size(); ++n) {
      EXPECT_EQ(c.counters[n].type, want.counters[n].type) << "counter " << n;
      EXPECT_EQ(c.counters[n].events, want.counters[n].events) << "counter " << n;
      EXPECT_EQ(c.counters[n].event_group_index, want.counters[n].group) << "counter " << n;
    }
  }
}

TEST(SimDiscovery, ItsLspciDumpGivesTheSameFunctionsDvsecsAndBlocks) {
  auto platform = open_default();
  auto live = discover_all(*platform);
  auto text = format_lspci_dump(*platform);
  ASSERT_TRUE(text) << text.error().message();
  std::string path = "/tmp/cpmu-sim-dump-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << *text;
  PlatformSource options;
  options.backend = "dump";
  options.dump_file = path;
  auto dump_platform = open_platform(options);
  ASSERT_TRUE(dump_platform) << dump_platform.error().message();
  auto dumped = discover_all(**dump_platform);
  std::remove(path.c_str());
  ASSERT_EQ(dumped.machine.functions.size(), live.machine.functions.size());
  for (std::size_t i = 0; i < live.machine.functions.size(); ++i) {
    const auto& a = live.machine.functions[i];
    const auto& b = dumped.machine.functions[i];
    SCOPED_TRACE(a.info.address.to_string());
    EXPECT_EQ(a.info.address, b.info.address);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(live.topology.parent[i], dumped.topology.parent[i]);
    EXPECT_EQ(a.serial_number, b.serial_number);
    ASSERT_EQ(a.dvsecs.size(), b.dvsecs.size());
    for (std::size_t k = 0; k < a.dvsecs.size(); ++k) {
      EXPECT_EQ(a.dvsecs[k].offset, b.dvsecs[k].offset);
      EXPECT_EQ(a.dvsecs[k].id, b.dvsecs[k].id);
      EXPECT_EQ(a.dvsecs[k].length, b.dvsecs[k].length);
    }
    ASSERT_EQ(a.register_blocks.size(), b.register_blocks.size());
    for (std::size_t k = 0; k < a.register_blocks.size(); ++k) {
      EXPECT_EQ(a.register_blocks[k].bir, b.register_blocks[k].bir);
      EXPECT_EQ(a.register_blocks[k].block_id, b.register_blocks[k].block_id);
      EXPECT_EQ(a.register_blocks[k].offset, b.register_blocks[k].offset);
      EXPECT_TRUE(a.register_blocks[k].bar_size);    // the simulator knows its BARs
      EXPECT_FALSE(b.register_blocks[k].bar_size);   // a dump does not
    }
    ASSERT_EQ(a.doe_mailboxes.size(), b.doe_mailboxes.size());
    ASSERT_EQ(a.cpmus.size(), b.cpmus.size());
    for (std::size_t k = 0; k < a.cpmus.size(); ++k) {
      EXPECT_EQ(a.cpmus[k].block.offset, b.cpmus[k].block.offset);
      EXPECT_TRUE(a.cpmus[k].capabilities);
      EXPECT_FALSE(b.cpmus[k].capabilities);
      EXPECT_FALSE(b.cpmus[k].capabilities_unknown.empty());
    }
    EXPECT_TRUE(b.problems.empty()) << b.problems.front().message();
  }
}

// The simulator's injectable faults, one function each; the rest of the
// machine must come out exactly as without them.
TEST(SimDiscovery, InjectedFaultsAreReportedOnTheirFunctionOnly) {
  auto platform = open_default([](sim::TopologySpec& t) {
    auto& rp0 = t.host_bridges[0].root_ports[0];
    auto& sw = *rp0.switch_below;
    sw.upstream.function.faults.capability_loop = true;                                 // 0d:00.0
    sw.downstream_ports[0].endpoint->function.faults.dvsec_length_past_config_space = true;   // 0f:00.0
    sw.downstream_ports[2].endpoint->function.faults.locator_offset_past_bar = true;    // 11:00.0
    t.host_bridges[0].root_ports[1].endpoint->function.faults.surprise_removal_ns = 0;  // 13:00.0
  });
  auto d = discover_all(*platform);
  ASSERT_EQ(d.machine.functions.size(), 11u);
  auto problems_of = [&](const char* bdf) { return d.by_bdf[bdf]->problems; };

  auto loop = problems_of("0000:0d:00.0");
  ASSERT_EQ(loop.size(), 1u);
  EXPECT_EQ(loop[0].message(), "capability chain loops at 0x100");
  EXPECT_EQ(d.by_bdf["0000:0d:00.0"]->doe_mailboxes.size(), 1u);   // found before the loop closed

  auto dvsec = problems_of("0000:0f:00.0");
  ASSERT_EQ(dvsec.size(), 1u);
  EXPECT_NE(dvsec[0].message().find("length 4095 runs past the end of config space (4 KiB)"), std::string::npos)
      << dvsec[0].message();
  EXPECT_TRUE(d.by_bdf["0000:0f:00.0"]->cpmus.empty());   // the locator could not be trusted

  auto locator = problems_of("0000:11:00.0");
  ASSERT_EQ(locator.size(), 1u);
  EXPECT_NE(locator[0].message().find("lies past BAR2"), std::string::npos) << locator[0].message();
  EXPECT_TRUE(d.by_bdf["0000:11:00.0"]->cpmus.empty());   // its only CPMU was the last entry

  auto gone = problems_of("0000:13:00.0");
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].message(), "device not responding (reads all ones)");
  EXPECT_FALSE(d.by_bdf["0000:13:00.0"]->responding);

  for (const char* fine : {"0000:0c:00.0", "0000:0e:00.0", "0000:0e:01.0", "0000:10:00.0", "0000:0c:01.0"}) {
    EXPECT_TRUE(problems_of(fine).empty()) << fine;
  }
  EXPECT_EQ(d.by_bdf["0000:10:00.0"]->cpmus.size(), 1u);
  EXPECT_TRUE(d.by_bdf["0000:10:00.0"]->cpmus[0].capabilities);
}

}  // namespace
}  // namespace cpmu
