// Messages safe to print, and clear: a value cpmu echoes (an option, a
// selector, an event term) never brings an escape sequence or invalid UTF-8
// to the terminal and is cut short (cpmu/printable_text.hpp); a topology
// that is a directory says so; duplicate keys in a topology are refused.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "../libcpmu/platform/temp_dir.hpp"
#include "run_cli.hpp"

namespace cpmu {
namespace {

using cpmu::testing::run_cpmu;
using cpmu::testing::TempDir;

TEST(Messages, EchoedValuesCarryNoControlBytesOrInvalidUtf8) {
  // $'...' is bash's; the shell popen runs is sh, so printf makes the bytes.
  const std::string esc = "\"$(printf 'x\\033[2J\\377y')\"";
  for (const std::string& args : std::vector<std::string>{
           "list --sim " + esc, "list --sim -s " + esc, "events --sim " + esc, "stat --sim -e " + esc + " -a",
           "stat --sim -e clock_ticks --cpmu " + esc, "stat --sim -e " + esc + "/clock_ticks/", "cdat --sim " + esc}) {
    auto run = run_cpmu(args);
    EXPECT_EQ(run.status, 2) << args << "\n" << run.err;
    EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << args << "\n" << run.err;
    EXPECT_EQ(run.err.find('\xff'), std::string::npos) << args << "\n" << run.err;
    EXPECT_NE(run.err.find("x\\x1b[2J\\xffy"), std::string::npos) << args << "\n" << run.err;
  }
}

TEST(Messages, ATopologyThatIsADirectorySaysSo) {
  TempDir dir;
  auto run = run_cpmu("list --topology " + dir.path().string());
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find(dir.path().string() + ": is a directory, not a topology file"), std::string::npos) << run.err;
}

TEST(Messages, DuplicateKeysInATopologyAreRefused) {
  TempDir dir;
  const auto file = dir.path() / "dup.json";
  std::ofstream(file) << R"({"schema_version": 1, "host_bridges": [], "host_bridges": []})";
  auto run = run_cpmu("list --topology " + file.string());
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("/host_bridges: duplicate key"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace cpmu
