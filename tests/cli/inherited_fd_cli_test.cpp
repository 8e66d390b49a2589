// No descriptor of cpmu's reaches COMMAND: -o FILE, the lock files, the
// signalfd, the simulator's eventfds and the monitor's are all close-on-exec.
// The COMMAND lists its own descriptors (/proc/$$/fd of its shell); cpmu is
// started with only 0, 1 and 2 open, so anything else came from cpmu.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "../libcpmu/platform/temp_dir.hpp"
#include "run_cli.hpp"

namespace cpmu {
namespace {

using cpmu::testing::run_command;
using cpmu::testing::TempDir;

// Execs cpmu with every descriptor above 2 closed.
const std::string kOnlyStandardFds =
    "python3 -c 'import os, sys; os.closerange(3, 65536); os.execv(sys.argv[1], sys.argv[1:])' ";

// The lines of `text` that are descriptor numbers.
std::vector<std::string> descriptors(const std::string& text) {
  std::vector<std::string> fds;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos) fds.push_back(line);
  }
  return fds;
}

TEST(InheritedFds, TheCommandGetsOnlyStandardInputOutputAndError) {
  TempDir dir;
  const std::string counts = (dir.path() / "counts.txt").string();
  const std::string env = "CPMU_LOCK_DIR=" + (dir.path() / "locks").string() + " ";
  for (const std::string& options :
       std::vector<std::string>{"-a -e clock_ticks -o " + counts, "-a -e clock_ticks -I 20 -j -o " + counts,
                                "-e clock_ticks --cpmu 0000:0f:00.0/0 -o -"}) {
    auto run = run_command(env + kOnlyStandardFds, "stat --sim " + options + " -- sh -c 'sleep 0.1; ls /proc/$$/fd'");
    EXPECT_EQ(run.status, 0) << options << "\n" << run.err;
    EXPECT_EQ(descriptors(run.out), (std::vector<std::string>{"0", "1", "2"})) << options << "\n" << run.out;
  }
}

}  // namespace
}  // namespace cpmu
