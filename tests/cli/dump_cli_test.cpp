// cpmu dump: the config space of every function as lspci -xxxx text, from
// each backend; partial reads are reported, bad input ends with status 2.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <unistd.h>

#include "cpmu/platform.hpp"
#include "run_cli.hpp"

namespace cpmu {
namespace {

using testing::run_cpmu;
using testing::run_cpmu_as_nobody;

int count_functions(const std::string& text) {
  static const std::regex kHeader("(^|\n)([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7] ");
  return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), kHeader),
                                        std::sregex_iterator()));
}

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = "/tmp/cpmu-dump-test-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(CpmuDump, SimulatedMachineDumpsEveryFunctionInFull) {
  auto run = run_cpmu("dump --sim");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
  // The default machine: 2 root ports, USP, 4 DSPs, 4 memory expanders.
  EXPECT_EQ(count_functions(run.out), 11);
  // 4 KiB per function: the last row of a full config space is at 0xff0.
  EXPECT_NE(run.out.find("\nff0: "), std::string::npos);
}

TEST(CpmuDump, DumpOfADumpReproducesQemusConfigSpaceByteForByte) {
  auto run = run_cpmu("dump --dump " + testing::qemu_dump("switch"));
  ASSERT_EQ(run.status, 0) << run.err;
  std::string path = write_temp("qemu.txt", run.out);
  PlatformSource options;
  options.backend = "dump";
  options.dump_file = path;
  auto platform = open_platform(options);
  ASSERT_TRUE(platform) << platform.error().message();
  auto config = (*platform)->read_config(*PciAddress::parse("0000:0f:00.0"));
  ASSERT_TRUE(config) << config.error().message();
  std::ifstream bin(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/switch/cxl-type3_0f-00.0.config.bin",
                    std::ios::binary);
  std::vector<std::uint8_t> expected((std::istreambuf_iterator<char>(bin)), std::istreambuf_iterator<char>());
  EXPECT_EQ(*config, expected);
  auto again = run_cpmu("dump --dump " + path);
  EXPECT_EQ(again.out, run.out);
  std::remove(path.c_str());
}

TEST(CpmuDump, UnprivilegedReadIsPrintedAsFarAsItGoesWithAWarningAndStatus1) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop to user nobody";
  auto root = run_cpmu("dump");
  ASSERT_EQ(root.status, 0) << root.err;
  auto nobody = run_cpmu_as_nobody("dump");
  EXPECT_EQ(nobody.status, 1);
  EXPECT_EQ(count_functions(nobody.out), count_functions(root.out));
  EXPECT_NE(nobody.err.find("warning:"), std::string::npos) << nobody.err;
  EXPECT_NE(nobody.err.find("root"), std::string::npos) << nobody.err;
}

TEST(CpmuDump, MissingDumpFileIsAUsageErrorNamingTheFile) {
  auto run = run_cpmu("dump --dump /nonexistent/machine.txt");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("/nonexistent/machine.txt"), std::string::npos) << run.err;
}

TEST(CpmuDump, MalformedTopologyIsAUsageErrorNamingFileAndField) {
  std::string path = write_temp("topo.json", R"({"schema_version": 1, "host_bridges": 7})");
  auto run = run_cpmu("dump --topology " + path);
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find(path), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("/host_bridges"), std::string::npos) << run.err;
  std::remove(path.c_str());
}

TEST(CpmuDump, ConflictingBackendsAreRejected) {
  auto run = run_cpmu("dump --sim --dump " + testing::qemu_dump("switch"));
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
}

}  // namespace
}  // namespace cpmu
