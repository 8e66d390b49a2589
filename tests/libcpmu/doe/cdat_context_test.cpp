// THEORY OF OPERATION: the per-range and per-port-pair performance is
// derived from QEMU's real tables (literal expected values), and
// read_cdat_context() is run over functions whose DOE mailbox is cxlsim's
// model, so the whole path from mailbox to context is exercised.
#include "cpmu/cdat_context.hpp"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cxlsim/cdat_builder.hpp"
#include "doe_test_support.hpp"

namespace cpmu {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return Bytes(std::istreambuf_iterator<char>(in), {});
}
const std::string kDumps = std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/switch/";

CdatTable parsed(const Bytes& bytes) {
  auto table = parse_cdat(bytes);
  EXPECT_TRUE(table) << table.error().message();
  return table ? *table : CdatTable{};
}

TEST(CdatContext, QemuType3RangeHasItsLatencyAndBandwidth) {
  const auto ranges = cdat_range_perf(parsed(read_file(kDumps + "cxl-type3_0f-00.0.cdat-doe.bin")));
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].handle, 0u);
  EXPECT_EQ(ranges[0].dpa_base, 0u);
  EXPECT_EQ(ranges[0].dpa_length, 268435456u);
  EXPECT_TRUE(ranges[0].non_volatile);
  EXPECT_EQ(ranges[0].perf.read_latency_ns, 150u);
  EXPECT_EQ(ranges[0].perf.write_latency_ns, 250u);
  EXPECT_EQ(ranges[0].perf.read_bandwidth, 16'000'000'000u);
  EXPECT_EQ(ranges[0].perf.write_bandwidth, 16'000'000'000u);
}

TEST(CdatContext, QemuSwitchPairsGetAccessValuesInBothDirections) {
  const auto pairs = cdat_port_perf(parsed(read_file(kDumps + "cxl-upstream_0d-00.0.cdat-doe.bin")));
  ASSERT_EQ(pairs.size(), 2u);
  for (unsigned i = 0; i < 2; ++i) {
    EXPECT_EQ(pairs[i].port_x, 0x0100u);
    EXPECT_EQ(pairs[i].port_y, i);
    EXPECT_EQ(pairs[i].perf.read_latency_ns, 150u);
    EXPECT_EQ(pairs[i].perf.write_latency_ns, 150u);
    EXPECT_EQ(pairs[i].perf.read_bandwidth, 16'000'000'000u);
    EXPECT_EQ(pairs[i].perf.write_bandwidth, 16'000'000'000u);
  }
}

TEST(CdatContext, SpecificValuesWinOverAccessValuesWhateverTheOrder) {
  Bytes t = read_file(kDumps + "cxl-type3_0f-00.0.cdat-doe.bin");
  // A DSLBIS with access latency 99 x 10000 ps after the read/write ones.
  const Bytes access = {1, 0, 24, 0, 0, 0, 0, 0, 0x10, 0x27, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0};
  t.insert(t.end(), access.begin(), access.end());
  t[0] = static_cast<std::uint8_t>(t.size());
  t[5] = 0;
  unsigned sum = 0;
  for (auto b : t) sum += b;
  t[5] = static_cast<std::uint8_t>(256 - sum % 256);
  const auto ranges = cdat_range_perf(parsed(t));
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].perf.read_latency_ns, 150u);
  EXPECT_EQ(ranges[0].perf.write_latency_ns, 250u);
}

TEST(CdatContext, RangesWithoutDslbisHaveNoValues) {
  Bytes t = read_file(kDumps + "cxl-type3_0f-00.0.cdat-doe.bin");
  t.resize(0x28);   // header and DSMAS only
  t[0] = 0x28;
  t[5] = 0;
  unsigned sum = 0;
  for (auto b : t) sum += b;
  t[5] = static_cast<std::uint8_t>(256 - sum % 256);
  const auto ranges = cdat_range_perf(parsed(t));
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].perf.read_latency_ns, std::nullopt);
  EXPECT_EQ(ranges[0].perf.write_bandwidth, std::nullopt);
}

// A machine of one endpoint whose DOE mailbox is the simulator's.
DiscoveredMachine one_endpoint_machine() {
  DiscoveredMachine machine;
  machine.backend = "sim";
  DiscoveredFunction fn;
  fn.info.address = test::kDoeFunction;
  fn.kind = ComponentKind::kEndpoint;
  fn.memory_device = true;
  fn.doe_mailboxes.emplace_back();
  fn.doe_mailboxes.back().offset = test::kDoeOffset;
  machine.functions.push_back(fn);
  return machine;
}

TEST(CdatContext, ReadsEveryEndpointsTableOverDoe) {
  auto built = sim::build_endpoint_cdat({{0, 1ull << 30, false, 80'000, 90'000, 32'000, 24'000}});
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  test::DoeModelPlatform platform(model);
  DiscoveredMachine machine = one_endpoint_machine();
  CdatReadOptions options;
  options.mailbox.clock = std::make_shared<test::VirtualClock>();
  const CdatContext context = read_cdat_context(platform, machine, Topology{}, options);
  ASSERT_EQ(context.functions.size(), 1u);
  const FunctionCdat* f = context.find(0);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->source, "DOE@0x190");
  EXPECT_EQ(f->raw, built->bytes());
  ASSERT_TRUE(f->table);
  ASSERT_EQ(f->ranges.size(), 1u);
  EXPECT_FALSE(f->ranges[0].non_volatile);
  EXPECT_EQ(f->ranges[0].perf.read_latency_ns, 80u);
  EXPECT_EQ(f->ranges[0].perf.write_latency_ns, 90u);
  EXPECT_EQ(f->ranges[0].perf.read_bandwidth, 32'000'000'000u);
  EXPECT_EQ(f->ranges[0].perf.write_bandwidth, 24'000'000'000u);
}

TEST(CdatContext, AnInvalidTableKeepsItsBytesAndSaysWhy) {
  auto built = sim::build_endpoint_cdat({{0, 1ull << 30, false, 80'000, 90'000, 32'000, 24'000}},
                                        sim::CdatFault::kBadChecksum);
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  test::DoeModelPlatform platform(model);
  DiscoveredMachine machine = one_endpoint_machine();
  CdatReadOptions options;
  options.mailbox.clock = std::make_shared<test::VirtualClock>();
  const CdatContext context = read_cdat_context(platform, machine, Topology{}, options);
  ASSERT_EQ(context.functions.size(), 1u);
  const FunctionCdat& f = context.functions[0];
  EXPECT_FALSE(f.table);
  ASSERT_TRUE(f.error);
  EXPECT_EQ(f.error->code(), Errc::kMalformed);
  EXPECT_EQ(f.error->message().rfind("0000:0d:00.0 (DOE@0x190): CDAT checksum is wrong", 0), 0u)
      << f.error->message();
  EXPECT_EQ(f.raw, built->bytes());
}

TEST(CdatContext, FunctionsWithoutACdatRoleAreLeftOut) {
  sim::DoeModel model(sim::DoeSpec{});
  test::DoeModelPlatform platform(model);
  DiscoveredMachine machine = one_endpoint_machine();
  machine.functions[0].kind = ComponentKind::kRootPort;
  EXPECT_FALSE(has_cdat_role(machine.functions[0]));
  CdatReadOptions options;
  options.mailbox.clock = std::make_shared<test::VirtualClock>();
  EXPECT_TRUE(read_cdat_context(platform, machine, Topology{}, options).functions.empty());
  EXPECT_EQ(platform.accesses(), 0u);
}

}  // namespace
}  // namespace cpmu
