// `cpmu stat` and every signal that ends it (SIGINT, SIGTERM, SIGHUP,
// SIGQUIT, SIGPIPE), with and without a COMMAND, and its reader going away
// (`cpmu stat -I 1000 -o - | head`): the counters must be disabled when it
// ends, which the simulated machine (in cpmu's own process) records as it
// is destroyed ($CXLSIM_RESIDUE_FILE), its private lock directory removed,
// the totals printed where the output still works, the command handled and
// the status naming the signal. And a SIGKILLed owner's lock is taken over.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../libcpmu/platform/temp_dir.hpp"
#include "cpmu/ownership.hpp"
#include "run_cli.hpp"
#include "spawned_cpmu.hpp"

namespace cpmu {
namespace {

using cpmu::testing::read_text;
using cpmu::testing::run_command;
using cpmu::testing::SpawnedCpmu;
using cpmu::testing::TempDir;

constexpr auto kPatience = std::chrono::seconds(30);

// No core files from a command that SIGQUIT ends.
void no_core_dumps() {
  const rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
}

class Scratch {
 public:
  std::string residue() const { return (dir_.path() / "residue").string(); }
  // The environment a spawned cpmu gets: its private directories here.
  std::vector<std::string> env() const {
    return {"TMPDIR=" + dir_.path().string(), "CXLSIM_RESIDUE_FILE=" + residue()};
  }
  const std::filesystem::path& path() const { return dir_.path(); }

  // The residue lines: one per CPMU of the simulated machine.
  std::vector<std::string> residue_lines() const {
    std::vector<std::string> lines;
    std::istringstream in(read_text(residue()));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  bool has_private_lock_directory() const {
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      if (entry.path().filename().string().rfind("cpmu-locks-", 0) == 0) return true;
    }
    return false;
  }

 private:
  TempDir dir_;
};

// Every CPMU was left with no counter enabled and nothing frozen.
void expect_counters_disabled(const Scratch& scratch, const std::string& what) {
  const std::vector<std::string> lines = scratch.residue_lines();
  EXPECT_EQ(lines.size(), 11u) << what << ": the machine recorded its CPMUs as it went";
  for (const std::string& line : lines) {
    EXPECT_NE(line.find(" enabled=0x0 frozen=0x0 "), std::string::npos) << what << ": " << line;
  }
  EXPECT_FALSE(scratch.has_private_lock_directory()) << what;
}

// Gone, or a zombie nobody has reaped yet: either way no longer running.
bool ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

bool ends_within(pid_t pid, std::chrono::seconds patience) {
  const auto until = std::chrono::steady_clock::now() + patience;
  while (!ended(pid)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

pid_t read_pid(const std::filesystem::path& file) {
  const auto until = std::chrono::steady_clock::now() + kPatience;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in(file);
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

const std::vector<std::string> kSystemWide = {"stat", "--sim", "-o", "-", "-I", "20", "-a", "-e", "clock_ticks"};

TEST(StatSignals, EveryEndingSignalDisablesTheCountersPrintsTheTotalsAndEndsByTheSignal) {
  no_core_dumps();
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) {
    const std::string what = strsignal(sig);
    Scratch scratch;
    SpawnedCpmu stat(kSystemWide, scratch.env());
    ASSERT_TRUE(stat.wait_for("clock_ticks")) << what << ": counting is under way\n" << stat.output();
    stat.signal(sig);
    const int status = stat.finish();
    if (sig == SIGQUIT) {
      // No core of a process that has cleaned up: the status alone says it.
      ASSERT_TRUE(WIFEXITED(status)) << what;
      EXPECT_EQ(WEXITSTATUS(status), 128 + SIGQUIT);
    } else {
      ASSERT_TRUE(WIFSIGNALED(status)) << what << ": exit status " << WEXITSTATUS(status);
      EXPECT_EQ(WTERMSIG(status), sig);
    }
    if (sig != SIGPIPE) {
      // A SIGPIPE says the output is gone: no totals are tried.
      EXPECT_NE(stat.output().find("Performance counter stats for 'system wide' (interrupted):"), std::string::npos)
          << what << "\n"
          << stat.output();
      EXPECT_NE(stat.output().find("seconds time elapsed"), std::string::npos) << what;
    }
    expect_counters_disabled(scratch, what);
  }
}

// `cpmu stat -I ... -o - | head`: the reader goes, the next interval's write
// fails with EPIPE, and cpmu cleans up and ends as SIGPIPE would end it.
TEST(StatSignals, AReaderThatGoesAwayEndsTheCountCleanlyBySigpipe) {
  Scratch scratch;
  SpawnedCpmu stat(kSystemWide, scratch.env());
  ASSERT_TRUE(stat.wait_for("clock_ticks")) << stat.output();
  stat.close_output();
  const int status = stat.finish();
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGPIPE);
  expect_counters_disabled(scratch, "reader gone");

  // And through a shell, as typed.
  Scratch shell;
  auto run = run_command("TMPDIR=" + shell.path().string() + " CXLSIM_RESIDUE_FILE=" + shell.residue() + " ",
                         "stat --sim -a -e clock_ticks -I 20 -o - | head -n 2 >/dev/null");
  EXPECT_EQ(run.status, 0) << run.err;  // head's
  EXPECT_EQ(run.err, "") << "quiet, as any filter in a pipeline";
  expect_counters_disabled(shell, "| head");
}

// With a COMMAND, a signal sent to cpmu alone is passed on, the command ends
// of it and cpmu reports its status; SIGPIPE (cpmu's output is gone) ends
// the count and the command is sent SIGTERM, as perf stat does at its exit.
TEST(StatSignals, WithACommandTheCommandIsHandledAndTheCountersDisabled) {
  no_core_dumps();
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) {
    const std::string what = strsignal(sig);
    Scratch scratch;
    const std::string pid_file = (scratch.path() / "command.pid").string();
    std::vector<std::string> args = kSystemWide;
    args.insert(args.end(), {"--", "sh", "-c", "echo $$ > " + pid_file + "; exec sleep 60"});
    SpawnedCpmu stat(args, scratch.env());
    ASSERT_TRUE(stat.wait_for("clock_ticks")) << what << "\n" << stat.output();
    const pid_t command = read_pid(pid_file);
    ASSERT_GT(command, 0) << what;
    stat.signal(sig);
    const int status = stat.finish();
    if (sig == SIGPIPE) {
      ASSERT_TRUE(WIFSIGNALED(status)) << what << ": exit status " << WEXITSTATUS(status);
      EXPECT_EQ(WTERMSIG(status), SIGPIPE);
    } else {
      ASSERT_TRUE(WIFEXITED(status)) << what;
      EXPECT_EQ(WEXITSTATUS(status), 128 + sig) << what << ": the command's status";
      EXPECT_NE(stat.output().find("seconds time elapsed"), std::string::npos) << what;
    }
    EXPECT_TRUE(ends_within(command, kPatience)) << what << ": the command is left running";
    expect_counters_disabled(scratch, what);
  }
}

// SIGKILL cannot be caught: the lock goes with the process (flock), and the
// next cpmu finds the dead owner's lock file, takes it over and counts.
TEST(StatSignals, AKilledOwnersLockIsTakenOver) {
  Scratch scratch;
  const std::string locks = (scratch.path() / "locks").string();
  std::vector<std::string> env = scratch.env();
  env.push_back("CPMU_LOCK_DIR=" + locks);
  {
    SpawnedCpmu stat({"stat", "--sim", "-o", "-", "-I", "20", "-e", "clock_ticks", "--cpmu", "0000:0f:00.0/0"}, env);
    ASSERT_TRUE(stat.wait_for("clock_ticks")) << stat.output();
    const std::string lock_file = locks + "/" + cpmu_lock_file_name(PciAddress{0, 0x0f, 0, 0}, 0);
    EXPECT_EQ(read_text(lock_file), std::to_string(stat.pid()) + "\n") << "the owner is named while it counts";
    stat.signal(SIGKILL);
    const int status = stat.finish();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    EXPECT_EQ(read_text(lock_file), std::to_string(stat.pid()) + "\n") << "the dead owner's pid stays behind";
  }
  const std::string prefix = "CPMU_LOCK_DIR=" + locks + " TMPDIR=" + scratch.path().string() + " ";
  auto list = run_command(prefix, "list --sim --json 0000:0f:00.0");
  EXPECT_EQ(list.status, 0) << list.err;
  EXPECT_NE(list.out.find("\"owner\": \"none\""), std::string::npos) << "a dead owner owns nothing\n" << list.out;
  EXPECT_EQ(list.out.find("\"owner\": \"process\""), std::string::npos) << list.out;
  auto next = run_command(prefix, "stat --sim -o - -e clock_ticks --cpmu 0000:0f:00.0/0 --duration 0.1");
  EXPECT_EQ(next.status, 0) << next.err;
  EXPECT_NE(next.out.find("clock_ticks"), std::string::npos) << next.out;
}

}  // namespace
}  // namespace cpmu
