// Output that never lies about success: every command that writes, with its
// output on /dev/full (every write fails with ENOSPC), must say which output
// failed and why and exit 2; a file output (stat -o, cdat --raw) that cannot
// be completed must leave the file as it was, with no partial file beside it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../libcpmu/platform/temp_dir.hpp"
#include "run_cli.hpp"

namespace cpmu {
namespace {

using cpmu::testing::read_text;
using cpmu::testing::run_command;
using cpmu::testing::run_cpmu;
using cpmu::testing::TempDir;

// Files in dir other than `keep`.
std::vector<std::string> others(const std::filesystem::path& dir, const std::string& keep) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename() != keep) names.push_back(entry.path().filename().string());
  }
  return names;
}

TEST(OutputFailure, EveryCommandOnAFullStandardOutputFailsNamingIt) {
  for (const std::string args :
       {"list --sim", "list --sim -v", "list --sim --json", "events --sim", "events --sim --json", "events --catalogue",
        "dump --sim", "doe --sim", "doe --sim --json", "cdat --sim", "cdat --sim --json", "help", "help stat",
        "stat --sim -a -e clock_ticks --duration 0.05 -o -", "stat --sim -a -e clock_ticks --plan -o -"}) {
    auto run = run_cpmu(args + " >/dev/full");
    EXPECT_EQ(run.status, 2) << args << "\n" << run.err;
    EXPECT_NE(run.err.find("cannot write standard output: No space left on device"), std::string::npos) << args << "\n"
                                                                                                        << run.err;
    EXPECT_EQ(run.err.find("cannot write standard output", run.err.find("cannot write") + 1), std::string::npos)
        << "reported once: " << args << "\n"
        << run.err;
  }
}

TEST(OutputFailure, StatCountsToAFullDeviceFail) {
  for (const std::string args :
       {"-a -e clock_ticks --duration 0.05 -o /dev/full", "-a -e clock_ticks -I 20 --interval-count 2 -j -o /dev/full",
        "-a -e clock_ticks --plan -x , -o /dev/full"}) {
    auto run = run_cpmu("stat --sim " + args);
    EXPECT_EQ(run.status, 2) << args << "\n" << run.err;
    EXPECT_NE(run.err.find("cannot write /dev/full: No space left on device"), std::string::npos) << args << "\n"
                                                                                                  << run.err;
  }
  // The default output is standard error: a failure there cannot be told,
  // but the status still says it.
  auto run = run_command("sh -c 'exec \"$0\" \"$@\" 2>/dev/full' ", "stat --sim -a -e clock_ticks --duration 0.05");
  EXPECT_EQ(run.status, 2);
}

// A file size limit of 0 (with SIGXFSZ ignored) makes every write to a
// regular file fail with EFBIG, as a full disk would; cpmu's messages go to
// the pipe of its standard output, which no limit applies to.
std::string without_room() { return "sh -c 'trap \"\" XFSZ; ulimit -f 0; exec \"$0\" \"$@\" 2>&1 >/dev/null' "; }

TEST(OutputFailure, AFileOutputThatCannotBeCompletedLeavesTheOldFileAndNoPartialOne) {
  TempDir dir;
  const auto counts = dir.path() / "counts.txt";
  const auto raw = dir.path() / "cdat.bin";
  for (const auto& [file, args] : std::vector<std::pair<std::filesystem::path, std::string>>{
           {counts, "stat --sim -a -e clock_ticks --duration 0.05 -o " + counts.string()},
           {raw, "cdat --sim 0000:0f:00.0 --raw " + raw.string()}}) {
    std::ofstream(file) << "the previous run's\n";
    auto run = run_command(without_room(), args);
    EXPECT_EQ(run.status, args.rfind("cdat", 0) == 0 ? 1 : 2) << args << "\n" << run.err;
    EXPECT_NE(run.out.find("cannot write " + file.string() + ": File too large"), std::string::npos) << run.out;
    EXPECT_EQ(read_text(file), "the previous run's\n") << args;
    EXPECT_EQ(others(dir.path(), file.filename().string()).size(), 0u) << "no temporary file is left: " << args;
    std::filesystem::remove(file);
  }
  // With room, the file is replaced whole.
  auto run = run_cpmu("stat --sim -a -e clock_ticks --duration 0.05 -o " + counts.string());
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(read_text(counts).find("seconds time elapsed"), std::string::npos);
  EXPECT_EQ(others(dir.path(), "counts.txt").size(), 0u);
}

TEST(OutputFailure, CdatRawToADirectorySaysSo) {
  auto run = run_cpmu("cdat --sim 0000:0f:00.0 --raw /tmp >/dev/null");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("--raw: /tmp: is a directory"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace cpmu
