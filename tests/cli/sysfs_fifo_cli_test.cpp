// Sysfs readers never block: a FIFO where a sysfs attribute belongs (the
// config file, an identity file libpci opens, a BAR's resource file) in a
// tree given with --sysfs must be an error naming it, not a hang. Each run
// is under timeout(1): a hang is status 124, a failure of the test.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "../libcpmu/platform/fake_sysfs.hpp"
#include "run_cli.hpp"

namespace cpmu {
namespace {

using cpmu::testing::FakeSysfs;
using cpmu::testing::run_command;
using cpmu::testing::TempDir;

constexpr const char* kFunction = "0000:0d:00.0";

// A fake tree with one CXL memory device, QEMU's, and `attribute` of it a
// FIFO nobody writes to (none when empty).
std::filesystem::path tree_with_fifo(const TempDir& dir, const std::string& attribute) {
  auto root = dir.path() / ("tree-" + (attribute.empty() ? std::string("plain") : attribute));
  const FakeSysfs sysfs(root);
  const auto config =
      cpmu::testing::read_binary(cpmu::testing::qemu_dumps() / "switch" / "cxl-type3_0f-00.0.config.bin");
  EXPECT_FALSE(config.empty());
  sysfs.add_function(kFunction, config,
                     {{0, 0xfe000000, 0x10000, cpmu::testing::kResourceMem64},
                      {2, 0xfe010000, 0x1000, cpmu::testing::kResourceMem64},
                      {4, 0xfe011000, 0x1000, cpmu::testing::kResourceMem}});
  if (!attribute.empty()) {
    const auto path = sysfs.device_dir(kFunction) / attribute;
    std::filesystem::remove(path);
    EXPECT_EQ(::mkfifo(path.c_str(), 0644), 0) << path;
  }
  return root;
}

cpmu::testing::CliRun list(const std::filesystem::path& root) {
  return run_command("timeout 20 ",
                     "list --sysfs " + root.string() + " --cxl-sysfs /nonexistent --event-source-sysfs /nonexistent");
}

TEST(SysfsFifo, TheTreeWithoutOneLists) {
  TempDir dir;
  auto run = list(tree_with_fifo(dir, ""));
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find(kFunction), std::string::npos) << run.out;
}

TEST(SysfsFifo, AFifoWhereAnAttributeBelongsIsNamedNotWaitedOn) {
  TempDir dir;
  for (const char* attribute : {"config", "vendor", "class", "resource"}) {
    auto run = list(tree_with_fifo(dir, attribute));
    EXPECT_NE(run.status, 124) << attribute << ": hung";
    EXPECT_EQ(run.status, 2) << attribute << "\n" << run.err;
    EXPECT_NE(run.err.find(std::string("/") + attribute + ": is a FIFO, not a regular file"), std::string::npos)
        << attribute << "\n"
        << run.err;
  }
}

}  // namespace
}  // namespace cpmu
