#include <gtest/gtest.h>

#include <algorithm>

#include "cpmu/platform.hpp"
#include "fake_sysfs.hpp"

namespace cpmu {
namespace {

TEST(PlatformRegistry, ListsLinuxAndDumpWithHelp) {
  const auto& backends = platform_backends();
  ASSERT_EQ(backends.size(), 2u);
  EXPECT_STREQ(backends[0].name, "linux");
  EXPECT_STREQ(backends[1].name, "dump");
  for (const auto& backend : backends) {
    EXPECT_NE(backend.help, nullptr);
    EXPECT_NE(std::string(backend.help), "");
    EXPECT_NE(backend.open, nullptr);
  }
}

TEST(PlatformRegistry, UnknownBackendErrorListsTheKnownOnes) {
  PlatformOptions options;
  options.backend = "vfio";
  auto platform = open_platform(options);
  ASSERT_FALSE(platform);
  EXPECT_EQ(platform.error().code(), Errc::kInvalidArgument);
  EXPECT_NE(platform.error().message().find("'vfio'"), std::string::npos);
  EXPECT_NE(platform.error().message().find("linux, dump"), std::string::npos) << platform.error().message();
}

TEST(PlatformRegistry, DumpWithoutAFileIsInvalidArgument) {
  PlatformOptions options;
  options.backend = "dump";
  auto platform = open_platform(options);
  ASSERT_FALSE(platform);
  EXPECT_EQ(platform.error().code(), Errc::kInvalidArgument);
  EXPECT_NE(platform.error().message().find("dump file"), std::string::npos);
}

TEST(PlatformRegistry, OpensEachBackendByName) {
  testing::TempDir dir;
  testing::FakeSysfs sysfs(dir.path());
  PlatformOptions linux_options;
  linux_options.sysfs_root = sysfs.root().string();
  auto linux_platform = open_platform(linux_options);
  ASSERT_TRUE(linux_platform) << linux_platform.error().message();
  EXPECT_EQ((*linux_platform)->name(), "linux");

  PlatformOptions dump_options;
  dump_options.backend = "dump";
  dump_options.dump_file = (testing::qemu_dumps() / "switch" / "lspci-xxxx.txt").string();
  auto dump_platform = open_platform(dump_options);
  ASSERT_TRUE(dump_platform) << dump_platform.error().message();
  EXPECT_EQ((*dump_platform)->name(), "dump");
}

}  // namespace
}  // namespace cpmu
