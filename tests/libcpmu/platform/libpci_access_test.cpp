#include "platform/libpci_access.hpp"

#include <gtest/gtest.h>

#include "cpmu/regs/pci_config.hpp"
#include "fake_sysfs.hpp"

namespace cpmu::detail {
namespace {

namespace fs = std::filesystem;
using testing::FakeSysfs;
using testing::TempDir;

std::vector<std::uint8_t> type3_config() {
  return testing::read_binary(testing::qemu_dumps() / "switch" / "cxl-type3_0f-00.0.config.bin");
}

// libpci's own verdicts, with the Linux backend's checks of the tree out of
// the way: libpci's default handler would print and exit(1) here.
TEST(LibpciAccess, MissingTreeIsAnErrorNotAnExit) {
  ::testing::internal::CaptureStderr();
  auto access = LibpciAccess::open_sysfs("/nonexistent/cpmu/sysfs");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_FALSE(access);
  EXPECT_NE(access.error().message().find("/nonexistent/cpmu/sysfs"), std::string::npos)
      << access.error().message();
}

TEST(LibpciAccess, FileLibpciCannotReadIsAnErrorAndTheNextSessionStillWorks) {
  TempDir dir;
  const FakeSysfs sysfs(dir / "sysfs");
  sysfs.add_function("0000:0d:00.0", type3_config(), {{0, 0xfe000000, 0x10000, testing::kResourceMem64}});
  fs::remove(sysfs.device_dir("0000:0d:00.0") / "vendor");
  auto bad = LibpciAccess::open_sysfs(sysfs.root().string());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("vendor"), std::string::npos) << bad.error().message();

  testing::write_file(sysfs.device_dir("0000:0d:00.0") / "vendor", "0x8086\n");
  auto good = LibpciAccess::open_sysfs(sysfs.root().string());
  ASSERT_TRUE(good) << good.error().message();
  ASSERT_EQ((*good)->functions().size(), 1u);
}

TEST(LibpciAccess, DescribesIdsClassHeaderAndBarsOfEachFunction) {
  TempDir dir;
  const FakeSysfs sysfs(dir / "sysfs");
  const auto config = type3_config();
  sysfs.add_function("0000:0d:00.0", config, {{2, 0xfe010000, 0x1000, testing::kResourceMem64}});
  auto access = LibpciAccess::open_sysfs(sysfs.root().string());
  ASSERT_TRUE(access) << access.error().message();
  ASSERT_EQ((*access)->functions().size(), 1u);
  const PciFunctionInfo& info = (*access)->functions().front();
  EXPECT_EQ(info.address, (PciAddress{0, 0x0d, 0, 0}));
  EXPECT_EQ(info.vendor_id, config[regs::pci::kVendorId] | config[regs::pci::kVendorId + 1] << 8);
  EXPECT_EQ(info.device_id, config[regs::pci::kDeviceId] | config[regs::pci::kDeviceId + 1] << 8);
  EXPECT_EQ(info.class_code, static_cast<std::uint32_t>(config[regs::pci::kProgIf] |
                                                        config[regs::pci::kProgIf + 1] << 8 |
                                                        config[regs::pci::kProgIf + 2] << 16));
  EXPECT_EQ(info.header_type, regs::pci::header_type::kEndpoint);
  ASSERT_EQ(info.bars.size(), 1u);
  EXPECT_EQ(info.bars[0].index, 2u);
  EXPECT_EQ(info.bars[0].base, 0xfe010000u);
  EXPECT_EQ(info.bars[0].size, 0x1000u);
  EXPECT_TRUE(info.bars[0].is_64bit);
  EXPECT_TRUE(info.driver.empty());   // the backend's business
}

}  // namespace
}  // namespace cpmu::detail
