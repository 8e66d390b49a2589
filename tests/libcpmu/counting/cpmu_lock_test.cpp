// CpmuLock: one owner per CPMU, named to whoever comes second.
#include "cpmu/cpmu_lock.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cpmu/ownership.hpp"
#include "sim_rig.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;

const PciAddress kFunction{0, 0x0f, 0, 0};

TEST(CpmuLock, CreatesTheDirectoryLocksTheFileAndWritesThePid) {
  const std::string dir = test::fresh_lock_directory() + "/nested";
  Result<CpmuLock> lock = CpmuLock::acquire({dir}, kFunction, 1);
  ASSERT_TRUE(lock) << lock.error().message();
  EXPECT_EQ(lock->path(), dir + "/cpmu-0000:0f:00.0-1.lock");
  std::ifstream file(lock->path());
  std::string pid;
  std::getline(file, pid);
  EXPECT_EQ(pid, std::to_string(::getpid()));
  std::optional<CpmuOwner> owner = find_cpmu_lock_holder({dir}, kFunction, 1);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->pid, ::getpid());
  fs::remove_all(fs::path(dir).parent_path());
}

TEST(CpmuLock, SecondAcquireFailsNamingTheOwnerAndTheLockFile) {
  const std::string dir = test::fresh_lock_directory();
  Result<CpmuLock> first = CpmuLock::acquire({dir}, kFunction, 0);
  ASSERT_TRUE(first);
  Result<CpmuLock> second = CpmuLock::acquire({dir}, kFunction, 0);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), Errc::kBusy);
  EXPECT_EQ(second.error().message(), fmt::format("0000:0f:00.0 CPMU 0: process {} programs it (lock file {})",
                                                  ::getpid(), first->path()));
  // Another instance of the same function is another lock.
  EXPECT_TRUE(CpmuLock::acquire({dir}, kFunction, 1));
  fs::remove_all(dir);
}

TEST(CpmuLock, AHolderInAnyListedDirectoryCounts) {
  const std::string root_dir = test::fresh_lock_directory();
  const std::string user_dir = test::fresh_lock_directory();
  Result<CpmuLock> held = CpmuLock::acquire({user_dir}, kFunction, 0);
  ASSERT_TRUE(held);
  Result<CpmuLock> other = CpmuLock::acquire({root_dir, user_dir}, kFunction, 0);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), Errc::kBusy);
  fs::remove_all(root_dir);
  fs::remove_all(user_dir);
}

TEST(CpmuLock, ReleasedWhenTheOwnerGoesAndEmptiedOfItsPid) {
  const std::string dir = test::fresh_lock_directory();
  std::string path;
  {
    Result<CpmuLock> lock = CpmuLock::acquire({dir}, kFunction, 0);
    ASSERT_TRUE(lock);
    path = lock->path();
    CpmuLock moved = std::move(*lock);
    EXPECT_EQ(moved.path(), path);
  }
  EXPECT_FALSE(find_cpmu_lock_holder({dir}, kFunction, 0));
  EXPECT_EQ(fs::file_size(path), 0u);
  EXPECT_TRUE(CpmuLock::acquire({dir}, kFunction, 0));
  fs::remove_all(dir);
}

TEST(CpmuLock, UnusableDirectoriesAreNamedInTheError) {
  Result<CpmuLock> lock = CpmuLock::acquire({"/proc/cpmu-cannot-exist"}, kFunction, 0);
  ASSERT_FALSE(lock);
  EXPECT_NE(lock.error().message().find("/proc/cpmu-cannot-exist/cpmu-0000:0f:00.0-0.lock"), std::string::npos)
      << lock.error().message();
}

// A directory others may write in could hold anything they planted: it is
// refused, and not passed over for the next one, where nobody else may look.
TEST(CpmuLock, ADirectoryOthersCanWriteIsRefusedNotPassedOver) {
  const std::string unsafe = test::fresh_lock_directory();
  const std::string next = test::fresh_lock_directory();
  fs::create_directories(unsafe);
  fs::permissions(unsafe, fs::perms::all);
  Result<CpmuLock> lock = CpmuLock::acquire({unsafe, next}, kFunction, 0);
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code(), Errc::kPermissionDenied);
  EXPECT_EQ(lock.error().message(),
            "0000:0f:00.0 CPMU 0: refusing lock directory " + unsafe + ": it is writable by others (mode 0777)");
  EXPECT_FALSE(fs::exists(next));
  fs::remove_all(unsafe);
}

}  // namespace
}  // namespace cpmu
