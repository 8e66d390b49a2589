// Topology JSON: what parses into what, every kind of error (each names the
// file and the JSON pointer, or line and column), and the built-in default.
#include "cxlsim/topology.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>

#include <fmt/format.h>

namespace cpmu::sim {
namespace {

// A small valid topology; tests edit it with replace().
const std::string kBase = R"({
  "schema_version": 1,
  "host_bridges": [
    {
      "root_bus": "0x0c",
      "root_ports": [
        {
          "device": 0,
          "link": {"speed_gts": 32, "width": 8},
          "cpmus": [
            {
              "width": 48,
              "event_caps": [{"vid": "0x1e98", "gid": "0x0000", "mask": "0x1"},
                             {"vid": "0x1e98", "gid": "0x0020", "mask": "0x1f"}],
              "counters": [{"kind": "fixed", "cap": 0, "mask": "0x1"}, {"kind": "configurable"}],
              "filters": ["hdm"],
              "interrupt": true,
              "msi": 3
            }
          ],
          "endpoint": {
            "serial": "0x1234",
            "memory": [{"size": "512M", "persistent": true}],
            "traffic": {"phases": [{"duration_ms": 1000, "reads_per_s": 1000}]}
          }
        }
      ]
    }
  ]
})";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string error_of(const std::string& text) {
  Result<TopologySpec> spec = parse_topology(text, "topo.json");
  EXPECT_FALSE(spec);
  return spec ? std::string() : spec.error().message();
}

TEST(Topology, ParsesTheFieldsOfASmallTopology) {
  Result<TopologySpec> spec = parse_topology(kBase, "topo.json");
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_EQ(spec->host_bridges.size(), 1u);
  const HostBridgeSpec& bridge = spec->host_bridges[0];
  EXPECT_EQ(bridge.domain, 0);
  EXPECT_EQ(bridge.root_bus, 0x0c);
  const RootPortSpec& port = bridge.root_ports.at(0);
  EXPECT_EQ(port.port, 0u);   // defaults to the device number
  EXPECT_EQ(port.link.speed_code, 5u);
  EXPECT_EQ(port.link.width, 8u);
  EXPECT_EQ(port.clock_hz, 1'000'000'000u);
  EXPECT_EQ(port.function.ids.vendor_id, 0x1b36);
  EXPECT_EQ(port.function.ids.device_id, 0xc000);
  const CpmuSpec& cpmu = port.function.cpmus.at(0);
  EXPECT_EQ(cpmu.width, 48u);
  ASSERT_EQ(cpmu.counters.size(), 2u);
  EXPECT_EQ(cpmu.counters[0].kind, CounterKind::kFixed);
  EXPECT_EQ(cpmu.counters[0].events_mask, 0x1u);
  EXPECT_EQ(cpmu.counters[1].kind, CounterKind::kConfigurable);
  EXPECT_EQ(cpmu.event_caps[1].gid, 0x20);
  EXPECT_EQ(cpmu.event_caps[1].mask, 0x1fu);
  EXPECT_TRUE(cpmu.hdm_filter);
  EXPECT_FALSE(cpmu.channel_rank_bank_filter);
  EXPECT_TRUE(cpmu.interrupt);
  EXPECT_EQ(cpmu.msi_number, 3u);
  EXPECT_FALSE(cpmu.freeze);
  ASSERT_TRUE(port.endpoint);
  EXPECT_FALSE(port.switch_below);
  const EndpointSpec& e = *port.endpoint;
  EXPECT_EQ(e.function.ids.device_id, 0xc003);
  EXPECT_EQ(e.function.ids.revision, 1);
  EXPECT_EQ(e.class_code, 0x050210u);
  EXPECT_EQ(e.serial, 0x1234u);
  ASSERT_EQ(e.memory.size(), 1u);
  EXPECT_EQ(e.memory[0].size, 512u << 20);
  EXPECT_TRUE(e.memory[0].persistent);
  EXPECT_EQ(e.memory[0].read_latency_ns, 150u);   // QEMU's defaults
  EXPECT_EQ(e.memory[0].write_bandwidth_mbps, 16'000u);
  EXPECT_EQ(e.traffic.hdm_decoders, 1u);
  EXPECT_EQ(e.traffic.ddr_channels, 1u);
  ASSERT_EQ(e.traffic.phases.size(), 1u);
  EXPECT_EQ(e.traffic.phases[0].duration_ns, 1'000'000'000u);
  EXPECT_EQ(e.traffic.phases[0].reads_per_s, 1000u);
}

TEST(Topology, AcceptsNumbersAsJsonNumbersHexStringsAndSizes) {
  std::string text = replace(kBase, R"("root_bus": "0x0c")", R"("root_bus": 12)");
  text = replace(text, R"("size": "512M")", R"("size": "0x20000000")");
  text = replace(text, R"("serial": "0x1234")", R"("serial": "4660")");
  Result<TopologySpec> spec = parse_topology(text, "topo.json");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->host_bridges[0].root_bus, 12);
  EXPECT_EQ(spec->host_bridges[0].root_ports[0].endpoint->memory[0].size, 512u << 20);
  EXPECT_EQ(spec->host_bridges[0].root_ports[0].endpoint->serial, 4660u);
}

TEST(Topology, TimingIsReadWithDefaultsAndBounds) {
  Result<TopologySpec> plain = parse_topology(kBase, "topo.json");
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_EQ(plain->timing, SimTiming{});
  EXPECT_EQ(plain->timing.tick_ns, 1'000'000u);
  const std::string timed = replace(kBase, R"("schema_version": 1,)",
                                    R"("schema_version": 1, "timing": {"register_access_ns": 500,
                                       "interrupt_latency_ns": 300000, "tick_ns": 20000000},)");
  Result<TopologySpec> spec = parse_topology(timed, "topo.json");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->timing.register_access_ns, 500u);
  EXPECT_EQ(spec->timing.interrupt_latency_ns, 300'000u);
  EXPECT_EQ(spec->timing.tick_ns, 20'000'000u);
  EXPECT_EQ(error_of(replace(kBase, R"("schema_version": 1,)", R"("schema_version": 1, "timing": {"tick_ns": 5},)")),
            "topo.json: /timing/tick_ns: must be 1000..1000000000, got 5");
}

// Numbers the JSON library cannot hold threw out of every command.
TEST(Topology, OverflowingNumbersAreErrorsNamingFileAndPosition) {
  EXPECT_EQ(error_of(replace(kBase, R"("width": 48)", R"("width": 1e400)")),
            "topo.json:12:24: invalid JSON: number overflow parsing '1e400'");
  const std::string digits(40, '9');
  const std::string message = error_of(replace(kBase, R"("width": 48)", R"("width": )" + digits));
  EXPECT_EQ(message.rfind("topo.json:", 0), 0u) << message;
  EXPECT_NE(message.find("width"), std::string::npos) << message;
}

TEST(Topology, DuplicateKeysAreRejected) {
  EXPECT_EQ(error_of(replace(kBase, R"("width": 48,)", R"("width": 48, "width": 16,)")),
            "topo.json: /host_bridges/0/root_ports/0/cpmus/0/width: duplicate key: each key may appear once in an "
            "object");
}

// /dev/zero or /dev/urandom given as a topology read until memory ran out.
TEST(Topology, EndlessOrHugeFilesFailFast) {
  for (const char* device : {"/dev/zero", "/dev/urandom"}) {
    Result<TopologySpec> spec = load_topology_file(device);
    ASSERT_FALSE(spec) << device;
    EXPECT_EQ(spec.error().message(), fmt::format("{}: the topology file is larger than 4194304 bytes (is it a "
                                                  "topology file?)",
                                                  device));
  }
}

TEST(Topology, SyntaxErrorGivesLineAndColumn) {
  const std::string text = "{\n  \"schema_version\": 1,\n  \"host_bridges\": [,]\n}\n";
  const std::string message = error_of(text);
  EXPECT_EQ(message.rfind("topo.json:3:20: invalid JSON: ", 0), 0u) << message;
}

TEST(Topology, SyntaxErrorMessageIsTheOneTheFormatDocumentShows) {
  EXPECT_EQ(error_of("{\n  \"schema_version\": 1,\n  \"host_bridges\": [,]\n}\n"),
            "topo.json:3:20: invalid JSON: syntax error while parsing value - unexpected ','; expected '[', '{', or "
            "a literal");
}

TEST(Topology, ExampleInTheFormatDocumentParses) {
  std::ifstream in(std::string(CPMU_SOURCE_DIR) + "/docs/topology-format.md");
  const std::string doc{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto start = doc.find("```json\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = doc.find("```", start + 8);
  Result<TopologySpec> spec = parse_topology(doc.substr(start + 8, end - start - 8), "topology-format.md");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->host_bridges[0].root_ports[0].endpoint->function.faults.surprise_removal_ns, 60'000'000'000u);
}

TEST(Topology, WrongTypeNamesThePointer) {
  EXPECT_EQ(error_of(replace(kBase, R"("interrupt": true)", R"("interrupt": "yes")")),
            "topo.json: /host_bridges/0/root_ports/0/cpmus/0/interrupt: must be true or false; got string");
}

TEST(Topology, ArrayWhereAnObjectBelongsIsAWrongType) {
  EXPECT_EQ(error_of(replace(kBase, R"("link": {"speed_gts": 32, "width": 8})", R"("link": [32, 8])")),
            "topo.json: /host_bridges/0/root_ports/0/link: must be an object; got array");
}

TEST(Topology, OutOfRangeValueNamesThePointerAndTheRange) {
  EXPECT_EQ(error_of(replace(kBase, R"("width": 48)", R"("width": 0)")),
            "topo.json: /host_bridges/0/root_ports/0/cpmus/0/width: must be 1..64, got 0");
  EXPECT_EQ(error_of(replace(kBase, R"("msi": 3)", R"("msi": 16)")),
            "topo.json: /host_bridges/0/root_ports/0/cpmus/0/msi: must be 0..15, got 16");
}

TEST(Topology, UnknownKeyIsAnError) {
  EXPECT_EQ(error_of(replace(kBase, R"("device": 0,)", R"("device": 0, "devcie": 1,)")),
            "topo.json: /host_bridges/0/root_ports/0/devcie: unknown key (expected one of device, port, link, "
            "vendor_id, device_id, revision, clock_mhz, cpmus, faults, endpoint, switch)");
}

TEST(Topology, UnknownKeyWithSlashIsEscapedInThePointer) {
  const std::string message = error_of(replace(kBase, R"("schema_version": 1,)", R"("schema_version": 1, "a/b~c": 0,)"));
  EXPECT_EQ(message.rfind("topo.json: /a~1b~0c: unknown key", 0), 0u) << message;
}

TEST(Topology, MissingRequiredFieldIsNamed) {
  EXPECT_EQ(error_of(replace(kBase, R"("root_bus": "0x0c",)", "")),
            "topo.json: /host_bridges/0/root_bus: required field is missing");
}

TEST(Topology, FixedCounterNamingAMissingEventCapabilityIsRejected) {
  EXPECT_EQ(error_of(replace(kBase, R"({"kind": "fixed", "cap": 0, "mask": "0x1"})",
                             R"({"kind": "fixed", "cap": 2, "mask": "0x1"})")),
            "topo.json: /host_bridges/0/root_ports/0/cpmus/0/counters/0/cap: names event capability 2, but this CPMU "
            "has 2 (0..1)");
}

TEST(Topology, FixedCounterMaskOutsideItsCapabilityIsRejected) {
  EXPECT_EQ(error_of(replace(kBase, R"("cap": 0, "mask": "0x1")", R"("cap": 0, "mask": "0x3")")),
            "topo.json: /host_bridges/0/root_ports/0/cpmus/0/counters/0/mask: 0x3 has events that event capability 0 "
            "does not offer (0x1)");
}

TEST(Topology, ConfigurableCounterMayNotHardWireAnEvent) {
  EXPECT_EQ(error_of(replace(kBase, R"({"kind": "configurable"})", R"({"kind": "configurable", "mask": 1})")),
            "topo.json: /host_bridges/0/root_ports/0/cpmus/0/counters/1/mask: only fixed and free_running counters "
            "have a hard-wired cap and mask");
}

TEST(Topology, UnknownChoiceListsTheAlternatives) {
  EXPECT_EQ(error_of(replace(kBase, R"("kind": "configurable")", R"("kind": "programmable")")),
            "topo.json: /host_bridges/0/root_ports/0/cpmus/0/counters/1/kind: must be one of fixed, configurable, "
            "free_running; got \"programmable\"");
}

TEST(Topology, StuckCounterMustNameAnExistingCounter) {
  const std::string text = replace(kBase, R"("device": 0,)", R"("device": 0, "faults": {"stuck_counter": [{"cpmu": 0, "counter": 2}]},)");
  EXPECT_EQ(error_of(text), "topo.json: /host_bridges/0/root_ports/0/faults/stuck_counter/0/counter: names counter 2, "
                            "but CPMU 0 has 2");
}

TEST(Topology, InterruptStormMustNameAnExistingCpmu) {
  const std::string text = replace(kBase, R"("device": 0,)", R"("device": 0, "faults": {"interrupt_storm": [{"cpmu": 1}]},)");
  EXPECT_EQ(error_of(text), "topo.json: /host_bridges/0/root_ports/0/faults/interrupt_storm/0/cpmu: names CPMU 1, "
                            "but this function has 1");
}

TEST(Topology, DoeFaultNeedsADoeMailbox) {
  const std::string text = replace(kBase, R"("device": 0,)", R"("device": 0, "faults": {"doe": "stuck_busy"},)");
  EXPECT_EQ(error_of(text), "topo.json: /host_bridges/0/root_ports/0/faults/doe: this function has no DOE mailbox");
}

TEST(Topology, DanglingHandleFaultIsForEndpointTablesOnly) {
  const std::string text = replace(kBase, R"("endpoint": {
            "serial": "0x1234",
            "memory": [{"size": "512M", "persistent": true}],
            "traffic": {"phases": [{"duration_ms": 1000, "reads_per_s": 1000}]}
          })", R"("switch": {"upstream_port": {"faults": {"cdat": "dangling_handle"}},
                     "downstream_ports": [{"link": {"speed_gts": 8, "width": 1}}]})");
  EXPECT_EQ(error_of(text), "topo.json: /host_bridges/0/root_ports/0/switch/upstream_port/faults/cdat: dangling_handle "
                            "needs a DSLBIS, which only endpoint tables have");
}

TEST(Topology, FaultsParseIntoTheSpec) {
  const std::string text = replace(kBase, R"("serial": "0x1234",)",
                                   R"("serial": "0x1234", "faults": {"surprise_removal": {"at_ms": 1500},
                                      "doe": "no_response", "cdat": "bad_checksum", "capability_loop": true,
                                      "dvsec_length_past_config_space": true, "locator_offset_past_bar": true},)");
  Result<TopologySpec> spec = parse_topology(text, "topo.json");
  ASSERT_TRUE(spec) << spec.error().message();
  const FunctionFaults& f = spec->host_bridges[0].root_ports[0].endpoint->function.faults;
  EXPECT_EQ(f.surprise_removal_ns, 1'500'000'000u);
  EXPECT_EQ(f.doe, DoeFault::kNoResponse);
  EXPECT_EQ(f.cdat, CdatFault::kBadChecksum);
  EXPECT_TRUE(f.capability_loop);
  EXPECT_TRUE(f.dvsec_length_past_config_space);
  EXPECT_TRUE(f.locator_offset_past_bar);
}

TEST(Topology, MemorySizeMustBeAMultipleOf256M) {
  EXPECT_EQ(error_of(replace(kBase, R"("size": "512M")", R"("size": "100M")")),
            "topo.json: /host_bridges/0/root_ports/0/endpoint/memory/0/size: must be a non-zero multiple of 256M; "
            "got 0x6400000");
}

TEST(Topology, BadNumberTextIsRejected) {
  EXPECT_EQ(error_of(replace(kBase, R"("root_bus": "0x0c")", R"("root_bus": "0xzz")")),
            "topo.json: /host_bridges/0/root_bus: must be a non-negative integer (decimal or \"0x...\"); got \"0xzz\"");
  EXPECT_EQ(error_of(replace(kBase, R"("root_bus": "0x0c")", R"("root_bus": -1)")),
            "topo.json: /host_bridges/0/root_bus: must not be negative; got -1");
  EXPECT_EQ(error_of(replace(kBase, R"("root_bus": "0x0c")", R"("root_bus": 1.5)")),
            "topo.json: /host_bridges/0/root_bus: must be an integer; got 1.5");
}

TEST(Topology, LinkSpeedMustBeAPcieRate) {
  EXPECT_EQ(error_of(replace(kBase, R"("speed_gts": 32)", R"("speed_gts": 20)")),
            "topo.json: /host_bridges/0/root_ports/0/link/speed_gts: must be 2.5, 5, 8, 16, 32 or 64; got 20");
}

TEST(Topology, DuplicateDeviceNumbersAreRejected) {
  const std::string port = R"({"device": 0, "link": {"speed_gts": 8, "width": 4}})";
  const std::string text = replace(kBase, R"("root_ports": [)", "\"root_ports\": [" + port + ",");
  EXPECT_EQ(error_of(text),
            "topo.json: /host_bridges/0/root_ports/1/device: device number 0 is used twice on this host bridge");
}

TEST(Topology, RootPortHoldsEndpointOrSwitchNotBoth) {
  const std::string text = replace(kBase, R"("endpoint": {)",
                                   R"("switch": {"upstream_port": {}, "downstream_ports": [{"link": {"speed_gts": 8, "width": 1}}]}, "endpoint": {)");
  EXPECT_EQ(error_of(text), "topo.json: /host_bridges/0/root_ports/0/switch: a root port holds an endpoint or a switch, not both");
}

TEST(Topology, SchemaVersionMustBeOne) {
  EXPECT_EQ(error_of(replace(kBase, R"("schema_version": 1)", R"("schema_version": 2)")),
            "topo.json: /schema_version: must be 1; got 2");
}

TEST(Topology, TrafficLimitsAreCheckedWithPointers) {
  EXPECT_EQ(error_of(replace(kBase, R"("duration_ms": 1000)", R"("duration_ms": 0)")),
            "topo.json: /host_bridges/0/root_ports/0/endpoint/traffic/phases/0/duration_ms: must be 1..1000000000000, got 0");
}

TEST(Topology, LoadingAMissingFileSaysSo) {
  Result<TopologySpec> spec = load_topology_file("/nonexistent/topo.json");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().code(), Errc::kNotFound);
  EXPECT_EQ(spec.error().message(), "/nonexistent/topo.json: cannot open topology file");
}

TEST(Topology, LoadingAFileNamesItInErrors) {
  const std::string path = ::testing::TempDir() + "topology_test_bad.json";
  std::ofstream(path) << replace(kBase, R"("width": 48)", R"("width": 65)");
  Result<TopologySpec> spec = load_topology_file(path);
  std::remove(path.c_str());
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().message(), path + ": /host_bridges/0/root_ports/0/cpmus/0/width: must be 1..64, got 65");
}

// --- The built-in default ---

std::vector<const FunctionSpec*> all_functions(const TopologySpec& spec) {
  std::vector<const FunctionSpec*> out;
  for (const HostBridgeSpec& bridge : spec.host_bridges) {
    for (const RootPortSpec& port : bridge.root_ports) {
      out.push_back(&port.function);
      if (port.endpoint) out.push_back(&port.endpoint->function);
      if (port.switch_below) {
        out.push_back(&port.switch_below->upstream.function);
        for (const DownstreamPortSpec& dsp : port.switch_below->downstream_ports) {
          out.push_back(&dsp.function);
          if (dsp.endpoint) out.push_back(&dsp.endpoint->function);
        }
      }
    }
  }
  return out;
}

TEST(DefaultTopology, HasTheDocumentedShape) {
  Result<TopologySpec> spec = default_topology();
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_EQ(spec->host_bridges.size(), 1u);
  const auto& ports = spec->host_bridges[0].root_ports;
  ASSERT_EQ(ports.size(), 2u);
  ASSERT_TRUE(ports[0].switch_below);
  const SwitchSpec& sw = *ports[0].switch_below;
  ASSERT_EQ(sw.downstream_ports.size(), 4u);
  EXPECT_TRUE(sw.downstream_ports[0].endpoint && sw.downstream_ports[1].endpoint && sw.downstream_ports[2].endpoint);
  EXPECT_FALSE(sw.downstream_ports[3].endpoint);
  ASSERT_TRUE(ports[1].endpoint);
  EXPECT_FALSE(ports[0].function.cpmus.empty());
  EXPECT_FALSE(ports[1].function.cpmus.empty());
  EXPECT_FALSE(sw.upstream.function.cpmus.empty());
  EXPECT_FALSE(sw.downstream_ports[0].function.cpmus.empty());
  std::set<std::uint64_t> sizes;
  for (const auto* e : {&*sw.downstream_ports[0].endpoint, &*sw.downstream_ports[1].endpoint,
                        &*sw.downstream_ports[2].endpoint, &*ports[1].endpoint}) {
    EXPECT_FALSE(e->function.cpmus.empty());
    EXPECT_FALSE(e->traffic.phases.empty());
    sizes.insert(e->memory[0].size);
  }
  EXPECT_EQ(sizes.size(), 4u);   // every expander looks different
}

TEST(DefaultTopology, CpmusCoverTheCapabilityVariety) {
  Result<TopologySpec> spec = default_topology();
  ASSERT_TRUE(spec);
  std::set<unsigned> widths;
  bool fixed_clock = false, configurable = false, free_running = false, hdm = false, crb = false, vendor = false;
  bool with_interrupt = false, without_interrupt = false, with_freeze = false;
  for (const FunctionSpec* f : all_functions(*spec)) {
    for (const CpmuSpec& c : f->cpmus) {
      EXPECT_GE(c.counters.size(), 4u);
      EXPECT_LE(c.counters.size(), 8u);
      widths.insert(c.width);
      for (const CounterSpec& counter : c.counters) {
        const EventCapSpec& cap = c.event_caps[counter.event_cap_index];
        fixed_clock |= counter.kind == CounterKind::kFixed && cap.vid == 0x1e98 && cap.gid == 0 && counter.events_mask == 1;
        configurable |= counter.kind == CounterKind::kConfigurable;
        free_running |= counter.kind == CounterKind::kFreeRunning;
      }
      for (const EventCapSpec& cap : c.event_caps) vendor |= cap.vid == 0x1b36 && cap.gid == 0x0001 && cap.mask == 0xf;
      hdm |= c.hdm_filter;
      crb |= c.channel_rank_bank_filter;
      if (c.interrupt) {
        with_interrupt = true;
        EXPECT_GE(c.msi_number, 1u);
        EXPECT_LT(c.msi_number, 16u);
      } else {
        without_interrupt = true;
      }
      with_freeze |= c.freeze;
    }
  }
  EXPECT_EQ(widths, (std::set<unsigned>{16, 32, 48}));
  EXPECT_TRUE(fixed_clock && configurable && free_running && hdm && crb && vendor);
  EXPECT_TRUE(with_interrupt && without_interrupt && with_freeze);
}

}  // namespace
}  // namespace cpmu::sim
