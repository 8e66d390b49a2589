// Lock files that cannot be turned against root: an unprivileged user
// (nobody, through setpriv) prepares a lock directory, links or a FIFO for a
// root cpmu to meet, and the root run must refuse them without touching
// what they point at, or without hanging. Needs root; skipped otherwise.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../libcpmu/platform/temp_dir.hpp"
#include "cpmu/ownership.hpp"
#include "run_cli.hpp"

namespace cpmu {
namespace {

using cpmu::testing::read_text;
using cpmu::testing::run_command;
using cpmu::testing::TempDir;

const std::string kLockFile = cpmu_lock_file_name(PciAddress{0, 0x0f, 0, 0}, 0);
const std::string kCount = "stat --sim -o - -e clock_ticks --cpmu 0000:0f:00.0/0 --duration 0.05";

// Runs a shell command as user nobody; true if it succeeded.
bool as_nobody(const std::string& script) {
  const std::string command = "setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c '" + script + "'";
  return std::system(command.c_str()) == 0;
}

class PlantedLocks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run cpmu as root against what nobody planted";
    // The victim: a root-owned file a planted link points at.
    victim_ = (scratch_.path() / "precious").string();
    std::ofstream(victim_) << "root's data\n";
    // A directory nobody can write in, for nobody's plants: /tmp itself.
    ::chmod(scratch_.path().c_str(), 0755);
    planted_ = "/tmp/cpmu-planted-" + std::to_string(::getpid());
    std::filesystem::remove_all(planted_);
  }
  void TearDown() override { std::filesystem::remove_all(planted_); }

  TempDir scratch_;
  std::string victim_;
  std::string planted_;
};

// The old attack: a predictable directory nobody made first, with the lock
// file a link to a file of root's.
TEST_F(PlantedLocks, ADirectoryAnotherUserOwnsIsRefusedAndWhatItLinksToIsUntouched) {
  ASSERT_TRUE(as_nobody("mkdir " + planted_ + " && ln -s " + victim_ + " " + planted_ + "/" + kLockFile));
  auto run = run_command("CPMU_LOCK_DIR=" + planted_ + " ", kCount);
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("refusing lock directory " + planted_ + ": it is owned by uid"), std::string::npos) << run.err;
  EXPECT_EQ(read_text(victim_), "root's data\n");
}

TEST_F(PlantedLocks, ALockDirectoryThatIsALinkIsRefused) {
  const std::string target = (scratch_.path() / "target").string();
  std::filesystem::create_directory(target);
  ASSERT_TRUE(as_nobody("ln -s " + target + " " + planted_));
  auto run = run_command("CPMU_LOCK_DIR=" + planted_ + " ", kCount);
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("refusing lock directory " + planted_ + ": it is a symbolic link"), std::string::npos)
      << run.err;
  EXPECT_TRUE(std::filesystem::is_empty(target)) << "nothing was created through the link";
}

TEST_F(PlantedLocks, ALockDirectoryOthersCanWriteIsRefused) {
  std::filesystem::create_directory(planted_);
  ::chmod(planted_.c_str(), 01777);
  ASSERT_TRUE(as_nobody("ln -s " + victim_ + " " + planted_ + "/" + kLockFile));
  auto run = run_command("CPMU_LOCK_DIR=" + planted_ + " ", kCount);
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("it is writable by others (mode 1777)"), std::string::npos) << run.err;
  EXPECT_EQ(read_text(victim_), "root's data\n");
}

// A FIFO where a lock file belongs: looking for the owner (list) and taking
// the lock (stat) neither hang nor use it.
TEST_F(PlantedLocks, AFifoWhereTheLockFileBelongsHangsNothing) {
  std::filesystem::create_directory(planted_);
  ASSERT_EQ(::mkfifo((planted_ + "/" + kLockFile).c_str(), 0644), 0);
  const std::string env = "CPMU_LOCK_DIR=" + planted_ + " timeout 60 ";
  auto list = run_command(env, "list --sim --json 0000:0f:00.0");
  EXPECT_EQ(list.status, 0) << list.err;
  auto run = run_command(env, kCount);
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find(kLockFile + ": not a regular file"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace cpmu
