// THEORY OF OPERATION: `cpmu doe` and `cpmu cdat` end to end, the built
// binary over the simulated machine: the built-in default (values from
// sim/topologies/default.json), and tests/cli/topologies/cdat-faults.json,
// whose devices serve a bad CDAT and wrong DOE answers. Only faults that fail
// at once are used, so nothing here waits for a DOE timeout.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

#include "run_cli.hpp"

namespace cpmu {
namespace {

using nlohmann::json;
using cpmu::testing::run_cpmu;
using cpmu::testing::run_cpmu_as_nobody;

const std::string kFaults = std::string(CPMU_SOURCE_DIR) + "/tests/cli/topologies/cdat-faults.json";

std::map<std::string, json> by_bdf(const json& out) {
  std::map<std::string, json> functions;
  for (const auto& f : out["functions"]) functions[f["bdf"]] = f;
  return functions;
}

TEST(DoeCli, DefaultSimMachineListsDiscoveryAndCdatOnEveryMailbox) {
  auto run = run_cpmu("doe --sim --json");
  ASSERT_EQ(run.status, 0) << run.err;
  const json out = json::parse(run.out);
  EXPECT_EQ(out["schema_version"], 2);
  ASSERT_EQ(out["functions"].size(), 5u);
  for (const auto& f : out["functions"]) {
    ASSERT_EQ(f["mailboxes"].size(), 1u) << f["bdf"];
    const json expected = json::array({{{"vendor_id", 1}, {"type", 0}, {"name", "PCI-SIG Discovery"}},
                                       {{"vendor_id", 0x1e98}, {"type", 2}, {"name", "CXL Table Access (CDAT)"}}});
    EXPECT_EQ(f["mailboxes"][0]["protocols"], expected) << f["bdf"];
    EXPECT_FALSE(f["mailboxes"][0].contains("error"));
  }
}

TEST(DoeCli, TextNamesEachProtocol) {
  auto run = run_cpmu("doe --sim");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("    0001:00  PCI-SIG Discovery\n    1e98:02  CXL Table Access (CDAT)\n"), std::string::npos)
      << run.out;
}

TEST(DoeCli, WrongAnswersAreReportedPerMailboxWithExitStatusOne) {
  auto run = run_cpmu("doe --topology " + kFaults + " --json");
  ASSERT_EQ(run.status, 1) << run.err;
  auto f = by_bdf(json::parse(run.out));
  ASSERT_EQ(f.size(), 3u);
  const auto& bad = f["0000:22:00.0"]["mailboxes"][0];
  EXPECT_EQ(bad["error"]["code"], "malformed");
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("response is for protocol (0x0001, 1)"), std::string::npos);
  EXPECT_EQ(f["0000:23:00.0"]["mailboxes"][0]["protocols"].size(), 2u);
}

TEST(CdatCli, DefaultSimMachineGivesEveryRangeAndPortPair) {
  auto run = run_cpmu("cdat --sim --json");
  ASSERT_EQ(run.status, 0) << run.err;
  const json out = json::parse(run.out);
  ASSERT_EQ(out["functions"].size(), 5u);
  unsigned endpoints = 0, switches = 0;
  for (const auto& f : out["functions"]) {
    EXPECT_FALSE(f.contains("error")) << f;
    if (f["kind"] == "switch_upstream_port") {
      ++switches;
      ASSERT_EQ(f["port_pairs"].size(), 4u);
      EXPECT_EQ(f["port_pairs"][3]["port_x"], 0x100);
      EXPECT_EQ(f["port_pairs"][3]["port_y"], 3);
      EXPECT_EQ(f["port_pairs"][3]["read_latency_ns"], 120);
      EXPECT_EQ(f["port_pairs"][3]["write_bandwidth_bytes_per_second"], 24000000000ull);
      EXPECT_TRUE(f["port_pairs"][0].contains("y_bdf"));
      continue;
    }
    ++endpoints;
    if (f["ranges"].size() == 2) {
      EXPECT_EQ(f["ranges"][1], (json{{"handle", 1}, {"dpa_base", 2ull << 30}, {"dpa_length", 4ull << 30},
                                      {"non_volatile", true}, {"read_latency_ns", 400}, {"write_latency_ns", 600},
                                      {"read_bandwidth_bytes_per_second", 8000000000ull},
                                      {"write_bandwidth_bytes_per_second", 5000000000ull}}));
    }
  }
  EXPECT_EQ(endpoints, 4u);
  EXPECT_EQ(switches, 1u);
}

TEST(CdatCli, BadTablesAndBadMailboxesAreReportedAndTheRestIsShown) {
  auto run = run_cpmu("cdat --topology " + kFaults + " --json");
  ASSERT_EQ(run.status, 1) << run.err;
  auto f = by_bdf(json::parse(run.out));
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f["0000:21:00.0"]["error"]["code"], "malformed");
  EXPECT_NE(f["0000:21:00.0"]["error"]["message"].get<std::string>().find("CDAT checksum is wrong"), std::string::npos);
  EXPECT_FALSE(f["0000:21:00.0"].contains("ranges"));
  EXPECT_EQ(f["0000:22:00.0"]["error"]["code"], "malformed");
  const auto& good = f["0000:23:00.0"];
  EXPECT_EQ(good["source"].get<std::string>().rfind("DOE@", 0), 0u);
  ASSERT_EQ(good["ranges"].size(), 1u);
  EXPECT_EQ(good["ranges"][0]["dpa_length"], 512ull << 20);
  EXPECT_EQ(good["ranges"][0]["non_volatile"], true);
  EXPECT_EQ(good["ranges"][0]["read_latency_ns"], 300);
  EXPECT_EQ(good["ranges"][0]["write_latency_ns"], 250);
}

TEST(CdatCli, RawSavesTheTableAsReadEvenWhenItIsInvalid) {
  const std::string path = "/tmp/cpmu-cdat-cli-test-" + std::to_string(::getpid()) + ".bin";
  auto run = run_cpmu("cdat --topology " + kFaults + " 21:00.0 --raw " + path);
  EXPECT_EQ(run.status, 1) << run.err;
  std::ifstream in(path, std::ios::binary);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::remove(path.c_str());
  ASSERT_GE(bytes.size(), 16u);
  EXPECT_EQ(bytes[0] | bytes[1] << 8, static_cast<int>(bytes.size()));   // the header's length
  unsigned sum = 0;
  for (auto b : bytes) sum += b;
  EXPECT_NE(sum % 256, 0u);   // the bad checksum, kept as it was served
}

TEST(CdatCli, RawNeedsOneDevice) {
  auto run = run_cpmu("cdat --sim --raw /tmp/unused.bin");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("name one as DEVICE"), std::string::npos) << run.err;
}

TEST(CdatCli, UnknownDeviceIsAUsageError) {
  auto run = run_cpmu("cdat 99:00.0 --sim");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("DEVICE '99:00.0' matches no PCI function"), std::string::npos) << run.err;
  auto bad = run_cpmu("cdat not-a-device --sim");
  EXPECT_EQ(bad.status, 2);
}

TEST(DoeCdatCli, UnprivilegedOnTheRunningMachineSaysRootIsNeeded) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to user nobody";
  for (const char* command : {"doe", "cdat"}) {
    auto run = run_cpmu_as_nobody(command);
    EXPECT_EQ(run.status, 1) << command << ": " << run.err;
    EXPECT_NE(run.err.find("extended configuration space needs root"), std::string::npos) << run.err;
  }
}

}  // namespace
}  // namespace cpmu
