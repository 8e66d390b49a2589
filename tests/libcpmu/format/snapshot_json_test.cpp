// The snapshot document (libcpmu/src/format/snapshot_json.cpp): what one
// encodes decodes to the same snapshot, and bad input is an error naming where.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "cpmu/json.hpp"

namespace cpmu {
namespace {

// Every field set, optional ones too, and numbers that do not survive a
// careless text round trip (2^64-1, 0.1, a denormal share).
Snapshot full_snapshot() {
  Snapshot s;
  s.sequence = 7;
  s.timestamp_ns = 5'000'000'123;
  s.wall_time_ns = 1'796'000'000'123'456'789ull;
  s.start_ns = 1'000'000'000;
  s.interval_ns = 1'000'000'001;

  auto endpoint = std::make_shared<SourceIdentity>();
  endpoint->name = CpmuName{PciAddress{0, 0x0f, 0, 0}, 1};
  endpoint->kind = ComponentKind::kEndpoint;
  endpoint->memdev = "mem0";
  endpoint->kernel_device = "pmu_mem0.1";
  endpoint->perf_pmu = "cxl_pmu_mem0.1";
  CdatRangePerf range;
  range.handle = 3;
  range.dpa_base = 0x1000'0000;
  range.dpa_length = std::numeric_limits<std::uint64_t>::max();
  range.non_volatile = true;
  range.perf.read_latency_ns = 150;
  range.perf.write_bandwidth = 16'000'000'000ull;
  endpoint->cdat_ranges = {range};
  endpoint->upstream = {"pci0000:0c", "0000:0c:00.0", "0000:0d:00.0", "0000:0e:00.0"};
  endpoint->link_gt_s = 2.5;
  endpoint->link_width = 16;
  auto port = std::make_shared<SourceIdentity>();
  port->name = CpmuName{PciAddress{1, 0x0d, 0, 0}, 0};
  port->kind = ComponentKind::kSwitchUpstreamPort;
  CdatPortPerf pair;
  pair.port_x = 0x100;
  pair.port_y = 1;
  pair.x_function = 4;
  pair.perf.read_bandwidth = 1;
  port->cdat_port_pairs = {pair};
  auto remote = std::make_shared<SourceIdentity>();
  remote->source_kind = SourceKind::kRemote;
  remote->name = CpmuName{PciAddress{0, 0x13, 0, 0}, 0};
  remote->host = "node7";
  auto cpu = std::make_shared<SourceIdentity>();
  cpu->source_kind = SourceKind::kHostCpu;
  cpu->cpu = 3;
  cpu->socket = 0;

  s.sources = {{endpoint, "direct", SourceHealth::kCounting, "", 4'999'999'000, 999'999'999},
             {port, "perf", SourceHealth::kError, "0000:0d:00.0/0: read failed", 4'000'000'000, 0},
             {remote, "remote", SourceHealth::kRemoved, "gone", 1, 1},
             {cpu, "perf", SourceHealth::kCounting, "", 2, 2}};

  auto counted = std::make_shared<SeriesInfo>();
  counted->source = 0;
  counted->label = "m2s_req_memrd";
  counted->event.code = EventCode{0x1e98, 0x20, 0x2};
  counted->event.threshold = 5;
  counted->event.edge = true;
  counted->event.invert = true;
  counted->event.hdm_decoder = 2;
  counted->event.channel_rank_bank = 0x1234;
  counted->placement = Placement::kMultiplexed;
  counted->placement_reason = "shares counters";
  SeriesValue a;
  a.info = counted;
  a.total.count = {CountState::kCounted, std::numeric_limits<std::uint64_t>::max(), 30, 10, false, "missed a wrap",
                   "a doubt withdrawn"};
  a.total.estimate = 0.1;
  a.total.rate = 1e300;
  a.total.running_share = 1e-310;
  a.interval.count = {CountState::kCounted, 12, 3, 3, true, "", ""};
  a.interval.estimate = 12.0;
  a.ended = true;
  auto unsupported = std::make_shared<SeriesInfo>();
  unsupported->source = 1;
  unsupported->label = "ddr_act";
  unsupported->placement = Placement::kNotSupported;
  unsupported->placement_reason = "no Event Capabilities register";
  SeriesValue b;
  b.info = unsupported;
  b.total.count.state = CountState::kNotSupported;
  b.interval.count.state = CountState::kNotSupported;
  s.series = {a, b};

  MetricValue m;
  m.source = 0;
  m.name = "read_bandwidth";
  m.unit = Unit::kBytesPerSecond;
  m.interval_value = 2.5e9;
  m.trusted = false;
  MetricValue lacking;
  lacking.source = 0;
  lacking.name = "write_bandwidth";
  lacking.unit = Unit::kBytesPerSecond;
  lacking.not_supported = "input m2s_rwd_memwr is not counted on this CPMU";
  s.metrics = {m, lacking};
  return s;
}

void expect_equal(const Snapshot& a, const Snapshot& b) {
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.timestamp_ns, b.timestamp_ns);
  EXPECT_EQ(a.wall_time_ns, b.wall_time_ns);
  EXPECT_EQ(a.start_ns, b.start_ns);
  EXPECT_EQ(a.interval_ns, b.interval_ns);
  ASSERT_EQ(a.sources.size(), b.sources.size());
  for (std::size_t i = 0; i < a.sources.size(); ++i) {
    SCOPED_TRACE("source " + std::to_string(i));
    EXPECT_EQ(*a.sources[i].identity, *b.sources[i].identity);
    EXPECT_EQ(a.sources[i].backend, b.sources[i].backend);
    EXPECT_EQ(a.sources[i].health, b.sources[i].health);
    EXPECT_EQ(a.sources[i].error, b.sources[i].error);
    EXPECT_EQ(a.sources[i].sample_ns, b.sources[i].sample_ns);
    EXPECT_EQ(a.sources[i].interval_ns, b.sources[i].interval_ns);
  }
  ASSERT_EQ(a.series.size(), b.series.size());
  for (std::size_t i = 0; i < a.series.size(); ++i) {
    SCOPED_TRACE("series " + std::to_string(i));
    EXPECT_EQ(*a.series[i].info, *b.series[i].info);
    EXPECT_EQ(a.series[i].total, b.series[i].total);
    EXPECT_EQ(a.series[i].interval, b.series[i].interval);
    EXPECT_EQ(a.series[i].ended, b.series[i].ended);
  }
  EXPECT_EQ(a.metrics, b.metrics);
}

TEST(SnapshotJson, DecodesToTheSnapshotItEncoded) {
  const Snapshot original = full_snapshot();
  const std::string text = json::encode_snapshot(original);
  auto decoded = json::decode_snapshot(text);
  ASSERT_TRUE(decoded) << decoded.error().message();
  expect_equal(original, *decoded);
  EXPECT_EQ(json::encode_snapshot(*decoded), text);
}

TEST(SnapshotJson, WritesOneLineWithTheSchemaVersionAndSnakeCaseEnums) {
  const std::string text = json::encode_snapshot(full_snapshot());
  EXPECT_EQ(text.find('\n'), std::string::npos);
  const auto doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc["schema_version"], json::kSchemaVersion);
  EXPECT_EQ(doc["type"], "snapshot");
  EXPECT_EQ(doc["wall_time_ns"], 1'796'000'000'123'456'789ull);
  EXPECT_EQ(doc["sources"][0]["source_kind"], "cpmu");
  EXPECT_EQ(doc["sources"][1]["kind"], "switch_upstream_port");
  EXPECT_EQ(doc["sources"][2]["source_kind"], "remote");
  EXPECT_EQ(doc["sources"][2]["host"], "node7");
  EXPECT_EQ(doc["sources"][3]["source_kind"], "host_cpu");
  EXPECT_FALSE(doc["sources"][3].contains("name"));
  EXPECT_EQ(doc["sources"][3]["cpu"], 3);
  EXPECT_EQ(doc["series"][1]["placement"], "not_supported");
  EXPECT_EQ(doc["series"][1]["total"]["state"], "not_supported");
  EXPECT_EQ(doc["metrics"][0]["unit"], "bytes_per_second");
  EXPECT_FALSE(doc["metrics"][0].contains("total_value"));
}

struct BadSnapshot {
  const char* case_name;
  std::function<void(nlohmann::ordered_json&)> spoil;
  const char* message;
};

class MalformedSnapshot : public testing::TestWithParam<BadSnapshot> {};

TEST_P(MalformedSnapshot, IsAnErrorNamingWhere) {
  auto doc = nlohmann::ordered_json::parse(json::encode_snapshot(full_snapshot()));
  GetParam().spoil(doc);
  auto decoded = json::decode_snapshot(doc.dump());
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code(), Errc::kMalformed);
  EXPECT_EQ(decoded.error().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    EveryKindOfProblem, MalformedSnapshot,
    testing::Values(
        BadSnapshot{"OtherVersion", [](auto& d) { d["schema_version"] = 1; },
                    "snapshot JSON: /schema_version: unsupported schema_version 1 (this cpmu reads version 2)"},
        BadSnapshot{"OtherDocument", [](auto& d) { d["type"] = "machine"; },
                    "snapshot JSON: /type: expected a snapshot document, found type 'machine'"},
        BadSnapshot{"MissingKey", [](auto& d) { d.erase("sources"); },
                    "snapshot JSON: (top level): missing required key 'sources'"},
        BadSnapshot{"NegativeNumber", [](auto& d) { d["series"][0]["total"]["raw"] = -1; },
                    "snapshot JSON: /series/0/total/raw: expected an unsigned integer, found number"},
        BadSnapshot{"OutOfRange", [](auto& d) { d["series"][0]["event"]["vid"] = 65536; },
                    "snapshot JSON: /series/0/event/vid: 65536 is out of range"},
        BadSnapshot{"UnknownEnum", [](auto& d) { d["sources"][1]["health"] = "sleeping"; },
                    "snapshot JSON: /sources/1/health: unknown value 'sleeping' (expected one of: counting, error, "
                    "removed)"},
        BadSnapshot{"OldSpelling", [](auto& d) { d["series"][1]["placement"] = "not supported"; },
                    "snapshot JSON: /series/1/placement: unknown value 'not supported' (expected one of: fixed, "
                    "configurable, free_running, multiplexed, not_supported)"},
        BadSnapshot{"DanglingSource", [](auto& d) { d["metrics"][0]["source"] = 4; },
                    "snapshot JSON: /metrics/0/source: source 4 does not exist"},
        BadSnapshot{"BadName", [](auto& d) { d["sources"][0]["name"] = "0f:00.0"; },
                    "snapshot JSON: /sources/0/name: '0f:00.0' is not a CPMU name (expected [DDDD:]BB:DD.F/N, e.g. "
                    "0000:0d:00.0/0)"},
        BadSnapshot{"UpstreamNotNames", [](auto& d) { d["sources"][0]["upstream"][1] = 12; },
                    "snapshot JSON: /sources/0/upstream/1: expected a string, found number"},
        BadSnapshot{"StartAfterTime", [](auto& d) { d["start_ns"] = 9'000'000'000ull; },
                    "snapshot JSON: /start_ns: the start is after the snapshot's time"}),
    [](const testing::TestParamInfo<BadSnapshot>& param) { return param.param.case_name; });

TEST(SnapshotJson, ANonFiniteFigureIsLeftOutSoTheDocumentStillDecodes) {
  Snapshot s = full_snapshot();
  s.series[0].total.rate = std::numeric_limits<double>::infinity();
  s.metrics[0].interval_value = std::numeric_limits<double>::quiet_NaN();
  const std::string text = json::encode_snapshot(s);
  auto decoded = json::decode_snapshot(text);
  ASSERT_TRUE(decoded) << decoded.error().message() << "\n" << text;
  EXPECT_EQ(decoded->series[0].total.rate, std::nullopt);
  EXPECT_EQ(decoded->metrics[0].interval_value, std::nullopt);
}

TEST(SnapshotJson, SyntaxErrorsNameTheByte) {
  auto decoded = json::decode_snapshot("{\"schema_version\": 2,, }");
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code(), Errc::kMalformed);
  EXPECT_NE(decoded.error().message().find("snapshot JSON: at byte 22:"), std::string::npos)
      << decoded.error().message();
  EXPECT_FALSE(json::decode_snapshot(""));
  EXPECT_FALSE(json::decode_snapshot("[]"));
}

}  // namespace
}  // namespace cpmu
