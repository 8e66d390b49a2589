#include "cpmu/ownership.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace cpmu {
namespace {

namespace fs = std::filesystem;

TEST(Ownership, LockFileNameCarriesFunctionAndInstance) {
  EXPECT_EQ(cpmu_lock_file_name(*PciAddress::parse("0000:0d:00.0"), 1), "cpmu-0000:0d:00.0-1.lock");
}

TEST(Ownership, LockDirectoriesFollowTheDocumentedOrder) {
  ::setenv("CPMU_LOCK_DIR", "/tmp/x-locks", 1);
  ::setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
  auto dirs = cpmu_lock_directories();
  ::unsetenv("CPMU_LOCK_DIR");
  ASSERT_EQ(dirs.size(), 3u);
  // The default places first, so that $CPMU_LOCK_DIR never hides a lock.
  EXPECT_EQ(dirs[0], "/run/cpmu");
  EXPECT_EQ(dirs[1], "/run/user/1000/cpmu");
  EXPECT_EQ(dirs[2], "/tmp/x-locks");
}

TEST(Ownership, HeldLockNamesTheProcessAndAnUnheldOneNobody) {
  fs::path dir = fs::temp_directory_path() / ("cpmu-locks-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto address = *PciAddress::parse("0000:0f:00.0");
  std::string path = (dir / cpmu_lock_file_name(address, 0)).string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "4242\n", 5), 5);
  EXPECT_FALSE(find_cpmu_lock_holder({dir.string()}, address, 0));   // exists, not locked
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  auto owner = find_cpmu_lock_holder({"/nonexistent", dir.string()}, address, 0);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->kind, CpmuOwnerKind::kProcess);
  ASSERT_TRUE(owner->pid);
  EXPECT_EQ(*owner->pid, 4242);
  EXPECT_EQ(owner->lock_file, path);
  EXPECT_FALSE(find_cpmu_lock_holder({dir.string()}, address, 1));   // another instance
  ::close(fd);
  EXPECT_FALSE(find_cpmu_lock_holder({dir.string()}, address, 0));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cpmu
