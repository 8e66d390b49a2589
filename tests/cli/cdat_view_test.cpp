// THEORY OF OPERATION: `cpmu cdat`'s rendering, checked on a context built
// from QEMU 7.2's real tables (an endpoint and a switch upstream port whose
// SSLBIS ports resolve to two downstream ports), with literal expectations
// for the text lines and the JSON keys and values.
#include "cdat_view.hpp"
#include "cpmu/json.hpp"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cpmu::cli {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes read_file(const std::string& name) {
  std::ifstream in(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/switch/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

DiscoveredFunction function(std::uint8_t bus, std::uint8_t device, ComponentKind kind) {
  DiscoveredFunction fn;
  fn.info.address = PciAddress{0, bus, device, 0};
  fn.kind = kind;
  return fn;
}

FunctionCdat decoded(std::size_t index, const Bytes& bytes, std::string source) {
  FunctionCdat f;
  f.function = index;
  f.source = std::move(source);
  f.raw = bytes;
  auto table = parse_cdat(bytes);
  EXPECT_TRUE(table);
  f.ranges = cdat_range_perf(*table);
  f.port_pairs = cdat_port_perf(*table);
  f.table = *table;
  return f;
}

struct Fixture {
  Fixture() {
    machine.functions = {function(0x0d, 0, ComponentKind::kSwitchUpstreamPort),
                         function(0x0e, 0, ComponentKind::kSwitchDownstreamPort),
                         function(0x0e, 1, ComponentKind::kSwitchDownstreamPort),
                         function(0x0f, 0, ComponentKind::kEndpoint)};
    machine.functions[3].memdev = "mem0";
    FunctionCdat usp = decoded(0, read_file("cxl-upstream_0d-00.0.cdat-doe.bin"), "DOE@0x1a8");
    for (std::size_t i = 0; i < usp.port_pairs.size(); ++i) {
      usp.port_pairs[i].x_function = 0;
      usp.port_pairs[i].y_function = 1 + i;
    }
    context.functions = {usp, decoded(3, read_file("cxl-type3_0f-00.0.cdat-doe.bin"), "/sys/bus/cxl/devices/endpoint3/CDAT")};
    FunctionCdat failed;
    failed.function = 2;
    failed.error = Error(Errc::kOwnedByDriver, "0000:0e:01.0: the kernel may be using its DOE mailboxes");
    context.functions.push_back(failed);
  }
  DiscoveredMachine machine;
  CdatContext context;
};

TEST(CdatView, FormatsLatencyAndDecimalBandwidth) {
  EXPECT_EQ(format_latency(150), "150 ns");
  EXPECT_EQ(format_bandwidth(16'000'000'000), "16 GB/s");
  EXPECT_EQ(format_bandwidth(16'384'000'000), "16.384 GB/s");
  EXPECT_EQ(format_bandwidth(500'000'000), "500 MB/s");
  EXPECT_EQ(format_bandwidth(1234), "1234 bytes/s");
}

TEST(CdatView, TextShowsRangesPortPairsStructuresAndErrors) {
  Fixture f;
  const std::string text = render_cdat_text(f.machine, f.context);
  for (const char* line : {
           "0000:0d:00.0 switch upstream port\n  source: DOE@0x1a8 (80 bytes)\n",
           "  USP 0000:0d:00.0 <-> DSP 0 0000:0e:00.0: latency read 150 ns write 150 ns, bandwidth read 16 GB/s "
           "write 16 GB/s\n",
           "  USP 0000:0d:00.0 <-> DSP 1 0000:0e:01.0: latency read 150 ns write 150 ns",
           "    0x010 SSLBIS  access latency: base unit 10000\n",
           "            USP (0x0100) <-> DSP 1 (0x0001): entry 16 -> 16 GB/s\n",
           "0000:0f:00.0 endpoint mem0\n  source: /sys/bus/cxl/devices/endpoint3/CDAT (160 bytes)\n",
           "  header: length 160 revision 2 checksum 0x08 sequence 0\n",
           "  DPA 0x0-0xfffffff (256 MiB, persistent, handle 0): latency read 150 ns write 250 ns, bandwidth read "
           "16 GB/s write 16 GB/s\n",
           "    0x028 DSLBIS  handle 0 flags 0x00 read latency: base unit 10000 entries 15 0 0 -> 150 ns\n",
           "    0x088 DSEMTS  handle 0 EFI memory type 2 DPA offset 0x0 length 0x10000000\n",
           "0000:0e:01.0 switch downstream port\n  error: 0000:0e:01.0: the kernel may be using its DOE mailboxes\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << text;
  }
}

TEST(CdatView, JsonCarriesNormalisedValuesAndTheDecodedTable) {
  Fixture f;
  const auto doc = nlohmann::json::parse(json::encode_cdat(f.machine, f.context));
  EXPECT_EQ(doc["schema_version"], json::kSchemaVersion);
  EXPECT_EQ(doc["type"], "cdat");
  ASSERT_EQ(doc["functions"].size(), 3u);

  const auto& usp = doc["functions"][0];
  EXPECT_EQ(usp["bdf"], "0000:0d:00.0");
  EXPECT_EQ(usp["kind"], "switch_upstream_port");
  EXPECT_EQ(usp["source"], "DOE@0x1a8");
  ASSERT_EQ(usp["port_pairs"].size(), 2u);
  EXPECT_EQ(usp["port_pairs"][1], (nlohmann::json{{"port_x", 256}, {"port_y", 1}, {"x_bdf", "0000:0d:00.0"},
                                                  {"y_bdf", "0000:0e:01.0"}, {"read_latency_ns", 150},
                                                  {"write_latency_ns", 150},
                                                  {"read_bandwidth_bytes_per_second", 16000000000ull},
                                                  {"write_bandwidth_bytes_per_second", 16000000000ull}}));
  EXPECT_EQ(usp["table"]["sslbis"][1]["data_type_name"], "access_bandwidth");
  EXPECT_EQ(usp["table"]["sslbis"][1]["entries"][0]["value_bytes_per_second"], 16000000000ull);

  const auto& ep = doc["functions"][1];
  EXPECT_EQ(ep["memdev"], "mem0");
  EXPECT_EQ(ep["ranges"][0], (nlohmann::json{{"handle", 0}, {"dpa_base", 0}, {"dpa_length", 268435456},
                                             {"non_volatile", true}, {"read_latency_ns", 150},
                                             {"write_latency_ns", 250},
                                             {"read_bandwidth_bytes_per_second", 16000000000ull},
                                             {"write_bandwidth_bytes_per_second", 16000000000ull}}));
  EXPECT_EQ(ep["table"]["length"], 160);
  EXPECT_EQ(ep["table"]["dslbis"][1]["value_ns"], 250);
  EXPECT_EQ(ep["table"]["dsemts"][0]["memory_type"], 2);

  const auto& failed = doc["functions"][2];
  EXPECT_EQ(failed["error"]["code"], "owned_by_driver");
  EXPECT_FALSE(failed.contains("table"));
  EXPECT_FALSE(failed.contains("source"));
}

}  // namespace
}  // namespace cpmu::cli
