#include "platform/libpci_access.hpp"

#include <gtest/gtest.h>

#include "cpmu/regs/pci_config.hpp"
#include "fake_sysfs.hpp"

namespace cpmu::detail {
namespace {

using testing::TempDir;

const std::string kSwitchDump = (testing::qemu_dumps() / "switch" / "lspci-xxxx.txt").string();

// libpci's own verdicts, with our dump checks out of the way: its default
// handler would print and exit(1) here.
TEST(LibpciAccess, MissingDumpIsAnErrorNotAnExit) {
  ::testing::internal::CaptureStderr();
  auto access = LibpciAccess::open_dump("/nonexistent/cpmu/dump.txt");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_FALSE(access);
  EXPECT_NE(access.error().message().find("/nonexistent/cpmu/dump.txt"), std::string::npos)
      << access.error().message();
}

TEST(LibpciAccess, LineLibpciRejectsIsAnErrorAndTheNextSessionStillWorks) {
  TempDir dir;
  testing::write_file(dir / "bad.txt", "0d:00.0 x\n00: 86 80 zz\n");
  auto bad = LibpciAccess::open_dump((dir / "bad.txt").string());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("Malformed"), std::string::npos) << bad.error().message();

  auto good = LibpciAccess::open_dump(kSwitchDump);
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ((*good)->functions().size(), 10u);
}

TEST(LibpciAccess, ReadsConfigBytesAndFindsCapabilities) {
  auto access = LibpciAccess::open_dump(kSwitchDump);
  ASSERT_TRUE(access) << access.error().message();
  const PciAddress type3{0, 0x0f, 0, 0};
  std::uint8_t ids[4] = {};
  ASSERT_TRUE((*access)->read_config(type3, regs::pci::kVendorId, ids));
  EXPECT_EQ(ids[0], 0x86);
  EXPECT_EQ(ids[3], 0x0d);

  auto pcie = (*access)->has_capability(type3, regs::pci::cap_id::kPcie);
  ASSERT_TRUE(pcie) << pcie.error().message();
  EXPECT_TRUE(*pcie);
  auto host_bridge = (*access)->has_capability(PciAddress{0, 0, 0, 0}, regs::pci::cap_id::kPcie);
  ASSERT_TRUE(host_bridge);
  EXPECT_FALSE(*host_bridge);

  std::uint8_t beyond[4] = {};
  Status missing = (*access)->read_config(PciAddress{0, 0, 0, 0}, regs::pci::kExtCapStart, beyond);
  ASSERT_FALSE(missing);
  EXPECT_EQ((*access)->read_config(PciAddress{0, 0x42, 0, 0}, 0, ids).error().code(), Errc::kNotFound);
}

}  // namespace
}  // namespace cpmu::detail
