// Nothing skipped silently: every case where cpmu used to list or count
// less than asked and still exit 0 now gets a note naming what was left out
// and the status cpmu(1) gives it. (A selector that matches nothing was
// already an error, status 2.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "run_cli.hpp"

namespace cpmu {
namespace {

using cpmu::testing::run_cpmu;
using cpmu::testing::run_cpmu_as_nobody;

const std::string kCpmuProblem = std::string(CPMU_TOPOLOGY_DIR) + "/cpmu-problem.json";

// 30:01.0's Register Locator points past its BAR: list shows the problem,
// and stat -a, which counts on every CPMU, must not pretend it did.
TEST(NothingSkipped, StatAllNamesAFunctionWhoseCpmusDiscoveryCouldNotFindAndExitsOne) {
  auto list = run_cpmu("list --topology " + kCpmuProblem);
  EXPECT_EQ(list.status, 1) << list.err;
  EXPECT_NE(list.out.find("problem: Register Locator"), std::string::npos) << list.out;

  auto run = run_cpmu("stat --topology " + kCpmuProblem + " -a -e clock_ticks --duration 0.05 -o -");
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_NE(run.err.find("cpmu stat: note: 0000:30:01.0: Register Locator"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("(its CPMUs may be missing)"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("0000:30:00.0/0"), std::string::npos) << "the rest is counted\n" << run.out;

  // Narrowed to the healthy function, the count is complete.
  auto narrowed = run_cpmu("stat --topology " + kCpmuProblem + " -a -s 30:00.0 -e clock_ticks --duration 0.05 -o -");
  EXPECT_EQ(narrowed.status, 0) << narrowed.err;
  EXPECT_EQ(narrowed.err.find("note:"), std::string::npos) << narrowed.err;
}

TEST(NothingSkipped, ListFiltersThatMatchNothingSaySoAndExitOne) {
  for (const std::string filter : {"-s 99:", "-m mem7", "-t root-port 0f:00.0"}) {
    auto run = run_cpmu("list --sim " + filter);
    EXPECT_EQ(run.status, 1) << filter << "\n" << run.err;
    EXPECT_NE(run.err.find("cpmu list: no CXL function matches"), std::string::npos) << filter << "\n" << run.err;
  }
  auto bad = run_cpmu("list --sim -m memx");
  EXPECT_EQ(bad.status, 2) << bad.err;
  EXPECT_NE(bad.err.find("-m 'memx': expected a kernel memdev, memN or N"), std::string::npos) << bad.err;
}

TEST(NothingSkipped, UnprivilegedEventsListsNothingAndExitsOne) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run cpmu events as nobody";
  auto real = run_cpmu_as_nobody("events");
  EXPECT_EQ(real.status, 1) << real.err;
  EXPECT_NE(real.err.find("no CPMU found: extended configuration space needs root"), std::string::npos) << real.err;
  EXPECT_EQ(real.out, "");
}

}  // namespace
}  // namespace cpmu
