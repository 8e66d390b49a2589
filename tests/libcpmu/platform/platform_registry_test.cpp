#include <gtest/gtest.h>

#include <algorithm>

#include "cpmu/platform.hpp"
#include "fake_sysfs.hpp"

namespace cpmu {
namespace {

TEST(PlatformRegistry, ListsLinuxAndDumpFirstWithHelp) {
  const auto& backends = platform_backends();
  ASSERT_GE(backends.size(), 2u);
  EXPECT_STREQ(backends[0].name, "linux");
  EXPECT_TRUE(backends[0].live);
  EXPECT_STREQ(backends[1].name, "dump");
  EXPECT_FALSE(backends[1].live);
  for (const auto& backend : backends) {
    EXPECT_NE(backend.help, nullptr);
    EXPECT_NE(std::string(backend.help), "");
    EXPECT_NE(backend.open, nullptr);
  }
}

TEST(PlatformRegistry, UnknownBackendErrorListsTheKnownOnes) {
  PlatformSource options;
  options.backend = "vfio";
  auto platform = open_platform(options);
  ASSERT_FALSE(platform);
  EXPECT_EQ(platform.error().code(), Errc::kInvalidArgument);
  EXPECT_NE(platform.error().message().find("'vfio'"), std::string::npos);
  EXPECT_NE(platform.error().message().find("linux, dump"), std::string::npos) << platform.error().message();
}

TEST(PlatformRegistry, ARegisteredBackendIsOpenedByNameAndReplacesItsNamesake) {
  static int opened = 0;
  auto open_a = [](const PlatformSource&) -> Result<std::unique_ptr<Platform>> {
    ++opened;
    return Error(Errc::kUnsupported, "backend a");
  };
  auto open_b = [](const PlatformSource&) -> Result<std::unique_ptr<Platform>> {
    return Error(Errc::kUnsupported, "backend b");
  };
  register_platform_backend({"registry-test", "a", +open_a, false});
  const std::size_t count = platform_backends().size();
  PlatformSource source;
  source.backend = "registry-test";
  auto first = open_platform(source);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().message(), "backend a");
  EXPECT_EQ(opened, 1);
  register_platform_backend({"registry-test", "b", +open_b, true});
  EXPECT_EQ(platform_backends().size(), count) << "a second registration replaces, it does not add";
  auto second = open_platform(source);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message(), "backend b");
  ASSERT_NE(find_platform_backend("registry-test"), nullptr);
  EXPECT_TRUE(find_platform_backend("registry-test")->live);
}

TEST(PlatformRegistry, DumpWithoutAFileIsInvalidArgument) {
  PlatformSource options;
  options.backend = "dump";
  auto platform = open_platform(options);
  ASSERT_FALSE(platform);
  EXPECT_EQ(platform.error().code(), Errc::kInvalidArgument);
  EXPECT_NE(platform.error().message().find("dump file"), std::string::npos);
}

TEST(PlatformRegistry, OpensEachBackendByName) {
  testing::TempDir dir;
  testing::FakeSysfs sysfs(dir.path());
  PlatformSource linux_options;
  linux_options.sysfs_root = sysfs.root().string();
  auto linux_platform = open_platform(linux_options);
  ASSERT_TRUE(linux_platform) << linux_platform.error().message();
  EXPECT_EQ((*linux_platform)->name(), "linux");

  PlatformSource dump_options;
  dump_options.backend = "dump";
  dump_options.dump_file = (testing::qemu_dumps() / "switch" / "lspci-xxxx.txt").string();
  auto dump_platform = open_platform(dump_options);
  ASSERT_TRUE(dump_platform) << dump_platform.error().message();
  EXPECT_EQ((*dump_platform)->name(), "dump");
}

}  // namespace
}  // namespace cpmu
