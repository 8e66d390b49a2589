#include "platform/linux_platform.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cpmu/regs/pci_config.hpp"
#include "fake_sysfs.hpp"
#include "platform/kernel_lockdown.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;
using testing::FakeBar;
using testing::FakeSysfs;
using testing::TempDir;

constexpr PciAddress kType3{0, 0x0d, 0, 0};
constexpr PciAddress kUpstream{0, 0x0c, 0, 0};
constexpr const char* kRealSysfs = "/sys/bus/pci";

std::vector<std::uint8_t> qemu_config(const char* name) {
  return testing::read_binary(testing::qemu_dumps() / "switch" / name);
}

// A CXL type-3 memory device bound to cxl_pci and a switch upstream port with
// no driver, with the config spaces, BARs and sizes QEMU gave them.
class FakeTree : public ::testing::Test {
 protected:
  void SetUp() override {
    type3_config_ = qemu_config("cxl-type3_0f-00.0.config.bin");
    ASSERT_EQ(type3_config_.size(), regs::pci::kConfigSize);
    sysfs_.add_function("0000:0d:00.0", type3_config_,
                        {{0, 0xfe000000, 0x10000, testing::kResourceMem64},
                         {2, 0xfe010000, 0x1000, testing::kResourceMem64},
                         {4, 0xfe011000, 0x1000, testing::kResourceMem}},
                        "cxl_pci");
    sysfs_.add_function("0000:0c:00.0", qemu_config("cxl-upstream_0d-00.0.config.bin"),
                        {{0, 0xfe400000, 0x10000, testing::kResourceMem64}});
    auto platform = detail::LinuxPlatform::open(testing::linux_source(sysfs_.root().string()));
    ASSERT_TRUE(platform) << platform.error().message();
    platform_ = std::move(*platform);
  }

  TempDir dir_;
  FakeSysfs sysfs_{dir_.path()};
  std::vector<std::uint8_t> type3_config_;
  std::unique_ptr<Platform> platform_;
};

TEST_F(FakeTree, EnumeratesIdsClassBarsAndDriverInAddressOrder) {
  auto functions = platform_->enumerate();
  ASSERT_TRUE(functions) << functions.error().message();
  ASSERT_EQ(functions->size(), 2u);

  const PciFunctionInfo& port = (*functions)[0];
  EXPECT_EQ(port.address, kUpstream);
  EXPECT_EQ(port.vendor_id, 0x19e5);
  EXPECT_EQ(port.device_id, 0xa128);
  EXPECT_EQ(port.header_type, regs::pci::header_type::kBridge);
  EXPECT_EQ(port.driver, "");

  const PciFunctionInfo& mem = (*functions)[1];
  EXPECT_EQ(mem.address, kType3);
  EXPECT_EQ(mem.vendor_id, 0x8086);
  EXPECT_EQ(mem.device_id, 0x0d93);
  EXPECT_EQ(mem.class_code, 0x050210u);
  EXPECT_EQ(mem.revision, 1);
  EXPECT_EQ(mem.header_type, regs::pci::header_type::kEndpoint);
  EXPECT_EQ(mem.driver, "cxl_pci");
  EXPECT_EQ(mem.sysfs_path, (sysfs_.root() / "devices" / "0000:0d:00.0").string());
  // 64-bit BARs 0 and 2 take two slots each and are reported once.
  ASSERT_EQ(mem.bars.size(), 3u);
  EXPECT_EQ(mem.bars[0].index, 0u);
  EXPECT_EQ(mem.bars[0].base, 0xfe000000u);
  EXPECT_EQ(mem.bars[0].size, 0x10000u);
  EXPECT_TRUE(mem.bars[0].is_64bit);
  EXPECT_FALSE(mem.bars[0].io);
  EXPECT_FALSE(mem.bars[0].prefetchable);
  EXPECT_EQ(mem.bars[1].index, 2u);
  EXPECT_EQ(mem.bars[1].size, 0x1000u);
  EXPECT_EQ(mem.bars[2].index, 4u);
  EXPECT_EQ(mem.bars[2].base, 0xfe011000u);
  EXPECT_FALSE(mem.bars[2].is_64bit);
}

TEST_F(FakeTree, ReportsPrefetchableBarsFromTheKernelFlags) {
  sysfs_.add_function("0000:0e:00.0", type3_config_,
                      {{4, 0x8000000000, 0x10000000, testing::kResourceMem64 | testing::kResourcePrefetch}});
  auto functions = platform_->enumerate();
  ASSERT_TRUE(functions) << functions.error().message();
  const PciFunctionInfo& added = functions->back();
  ASSERT_EQ(added.bars.size(), 1u);
  EXPECT_EQ(added.bars[0].index, 4u);
  EXPECT_EQ(added.bars[0].base, 0x8000000000u);
  EXPECT_TRUE(added.bars[0].prefetchable);
  EXPECT_TRUE(added.bars[0].is_64bit);
}

TEST_F(FakeTree, ReadsTheWholeConfigFile) {
  auto config = platform_->read_config(kType3);
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(*config, type3_config_);
}

TEST_F(FakeTree, ConfigRead32ReadsLittleEndianDwordsInsideTheSpace) {
  auto ids = platform_->config_read32(kType3, regs::pci::kVendorId);
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_EQ(*ids, 0x0d938086u);
  auto last = platform_->config_read32(kType3, regs::pci::kConfigSize - 4);
  ASSERT_TRUE(last) << last.error().message();

  auto unaligned = platform_->config_read32(kType3, 2);
  ASSERT_FALSE(unaligned);
  EXPECT_EQ(unaligned.error().code(), Errc::kInvalidArgument);
  auto past = platform_->config_read32(kType3, regs::pci::kConfigSize);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code(), Errc::kInvalidArgument);
}

TEST_F(FakeTree, ConfigWrite32ReachesTheConfigFile) {
  ASSERT_TRUE(platform_->config_write32(kType3, regs::pci::kSubsystemVendorId, 0x0102030b));
  const auto bytes = testing::read_binary(sysfs_.device_dir("0000:0d:00.0") / "config");
  EXPECT_EQ(bytes[regs::pci::kSubsystemVendorId], 0x0b);
  EXPECT_EQ(bytes[regs::pci::kSubsystemVendorId + 3], 0x01);
  auto back = platform_->config_read32(kType3, regs::pci::kSubsystemVendorId);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, 0x0102030bu);
  EXPECT_EQ(platform_->config_write32(kType3, 1, 0).error().code(), Errc::kInvalidArgument);
}

TEST_F(FakeTree, MissingFunctionIsNotFoundNamingThePath) {
  auto config = platform_->read_config(PciAddress{0, 0x42, 0, 0});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), Errc::kNotFound);
  EXPECT_NE(config.error().message().find("0000:42:00.0/config"), std::string::npos) << config.error().message();
}

// The kernel gives a config file the size of the function's config space but
// serves a reader without CAP_SYS_ADMIN only its first 64 bytes. Any real
// sysfs attribute behaves the same way: its size says 4096 and a read returns
// a few bytes. Pointing the fake `config` at one reproduces the kernel's cut
// with the kernel itself, for any user.
TEST_F(FakeTree, ConfigFileThatReadsShortOfItsSizeIsThePrivilegeCut) {
  std::optional<fs::path> attribute;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(kRealSysfs) / "devices", ec)) {
    attribute = entry.path() / "vendor";
    break;
  }
  if (!attribute) {
    GTEST_SKIP() << "no real sysfs device attribute on this machine";
  }
  struct stat st {};
  ASSERT_EQ(::stat(attribute->c_str(), &st), 0);
  ASSERT_GT(st.st_size, 64) << "sysfs attributes are expected to report a page-sized file";

  const fs::path config = sysfs_.device_dir("0000:0d:00.0") / "config";
  fs::remove(config);
  fs::create_symlink(*attribute, config);

  auto cut = platform_->read_config(kType3);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code(), Errc::kPermissionDenied);
  EXPECT_NE(cut.error().message().find("CAP_SYS_ADMIN"), std::string::npos) << cut.error().message();
  EXPECT_NE(cut.error().message().find("perf"), std::string::npos) << cut.error().message();

  auto partial = platform_->read_config(kType3, /*allow_partial=*/true);
  ASSERT_TRUE(partial) << partial.error().message();
  EXPECT_EQ(partial->size(), testing::read_text(*attribute).size());

  auto beyond = platform_->config_read32(kType3, 0x100);
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().code(), Errc::kPermissionDenied);
}

TEST_F(FakeTree, MissingResourceFileIsAnErrorNotAnExit) {
  fs::remove(sysfs_.device_dir("0000:0d:00.0") / "resource");
  auto functions = platform_->enumerate();
  ASSERT_FALSE(functions);
  EXPECT_EQ(functions.error().code(), Errc::kNotFound);
  EXPECT_NE(functions.error().message().find("0000:0d:00.0/resource"), std::string::npos)
      << functions.error().message();
}

TEST_F(FakeTree, EntryThatIsNoAddressIsMalformed) {
  fs::create_directory(sysfs_.root() / "devices" / "garbage");
  auto functions = platform_->enumerate();
  ASSERT_FALSE(functions);
  EXPECT_EQ(functions.error().code(), Errc::kMalformed);
  EXPECT_NE(functions.error().message().find("garbage"), std::string::npos);
}

TEST_F(FakeTree, UnreadableConfigFileFailsEnumerationWithLibpcisWarning) {
  fs::remove(sysfs_.device_dir("0000:0d:00.0") / "config");
  ::testing::internal::CaptureStderr();
  auto functions = platform_->enumerate();
  const std::string printed = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(functions);
  EXPECT_NE(functions.error().message().find("0000:0d:00.0/config"), std::string::npos)
      << functions.error().message();
  EXPECT_EQ(printed, "") << "libpci's warning must go into the error, not to stderr";
}

TEST_F(FakeTree, TreeThatVanishedIsAnErrorNotAnExit) {
  fs::remove_all(sysfs_.root() / "devices");
  auto functions = platform_->enumerate();
  ASSERT_FALSE(functions);
  EXPECT_NE(functions.error().message().find((sysfs_.root() / "devices").string()), std::string::npos)
      << functions.error().message();
}

TEST(LinuxPlatform, MissingTreeIsNotFoundNamingIt) {
  auto platform = detail::LinuxPlatform::open(testing::linux_source("/nonexistent/cpmu/sysfs"));
  ASSERT_FALSE(platform);
  EXPECT_EQ(platform.error().code(), Errc::kNotFound);
  EXPECT_NE(platform.error().message().find("/nonexistent/cpmu/sysfs/devices"), std::string::npos);
}

TEST_F(FakeTree, MapBarReadsAndWritesTheResourceFile) {
  std::vector<std::uint8_t> bar(0x1000);
  for (std::size_t i = 0; i < bar.size(); ++i) bar[i] = static_cast<std::uint8_t>(i * 7);
  sysfs_.add_resource_file("0000:0d:00.0", 2, bar);

  auto mmio = platform_->map_bar(kType3, 2, 0x800, 0x100);
  ASSERT_TRUE(mmio) << mmio.error().message();
  EXPECT_EQ((*mmio)->size(), 0x100u);
  EXPECT_EQ((*mmio)->read32(0x10), bar[0x810] | bar[0x811] << 8 | bar[0x812] << 16 |
                                       static_cast<std::uint32_t>(bar[0x813]) << 24);
  (*mmio)->write64(0x20, 0x1122334455667788);
  mmio->reset();
  const auto after = testing::read_binary(sysfs_.device_dir("0000:0d:00.0") / "resource2");
  EXPECT_EQ(after[0x820], 0x88);
  EXPECT_EQ(after[0x827], 0x11);
}

TEST_F(FakeTree, MapBarErrorsNameTheBar) {
  sysfs_.add_resource_file("0000:0d:00.0", 2, std::vector<std::uint8_t>(0x1000));
  auto too_far = platform_->map_bar(kType3, 2, 0xff0, 0x20);
  ASSERT_FALSE(too_far);
  EXPECT_EQ(too_far.error().code(), Errc::kInvalidArgument);
  EXPECT_NE(too_far.error().message().find("BAR2 of 0000:0d:00.0"), std::string::npos);

  auto no_file = platform_->map_bar(kType3, 4, 0, 0x10);
  ASSERT_FALSE(no_file);
  EXPECT_EQ(no_file.error().code(), Errc::kNotFound);
  EXPECT_NE(no_file.error().message().find("0000:0d:00.0/resource4"), std::string::npos);

  auto no_bar = platform_->map_bar(kType3, 6, 0, 0x10);
  ASSERT_FALSE(no_bar);
  EXPECT_EQ(no_bar.error().code(), Errc::kNotFound);
}

TEST_F(FakeTree, InterruptsNeedVfioAndSaySoWithThePollingFallback) {
  auto irq = platform_->interrupt(kType3, 0);
  ASSERT_FALSE(irq);
  EXPECT_EQ(irq.error().code(), Errc::kUnsupported);
  EXPECT_NE(irq.error().message().find("VFIO"), std::string::npos);
  EXPECT_NE(irq.error().message().find("polling"), std::string::npos);
}

// --- The real /sys/bus/pci of the machine running the tests. ---

std::vector<fs::path> real_devices() {
  std::vector<fs::path> devices;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(kRealSysfs) / "devices", ec)) {
    devices.push_back(entry.path());
  }
  return devices;
}

std::unique_ptr<Platform> open_real() {
  auto platform = detail::LinuxPlatform::open(PlatformSource{});
  EXPECT_TRUE(platform) << platform.error().message();
  return platform ? std::move(*platform) : nullptr;
}

// Runs `check` as user nobody: in a forked child when this runs as root, in
// place otherwise. Fails the test if `check` returns false.
template <typename Check>
void expect_as_unprivileged(Check check) {
  if (::geteuid() != 0) {
    EXPECT_TRUE(check());
    return;
  }
  EXPECT_EXIT(
      {
        constexpr uid_t kNobody = 65534;
        if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) std::_Exit(2);
        std::_Exit(check() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(RealSysfs, EnumeratesEveryFunctionOfThisMachine) {
  const auto devices = real_devices();
  if (devices.empty()) {
    GTEST_SKIP() << kRealSysfs << " has no devices here";
  }
  auto platform = open_real();
  ASSERT_NE(platform, nullptr);
  auto functions = platform->enumerate();
  ASSERT_TRUE(functions) << functions.error().message();
  EXPECT_EQ(functions->size(), devices.size());
  for (const auto& function : *functions) {
    EXPECT_NE(function.vendor_id, 0xffff) << function.address.to_string();
    EXPECT_TRUE(fs::exists(function.sysfs_path)) << function.sysfs_path;
  }
  if (FILE* lspci = ::popen("lspci -D 2>/dev/null", "r")) {
    std::size_t lines = 0;
    for (int c = std::fgetc(lspci); c != EOF; c = std::fgetc(lspci)) lines += c == '\n';
    if (::pclose(lspci) == 0) {
      EXPECT_EQ(functions->size(), lines);
    }
  }
}

// The kernel's own cut: as user nobody, a config file bigger than 64 bytes
// serves 64, and read_config must say so instead of returning them.
TEST(RealSysfs, UnprivilegedReadOfExtendedSpaceIsPermissionDenied) {
  std::optional<PciAddress> address;
  for (const auto& device : real_devices()) {
    struct stat st {};
    if (::stat((device / "config").c_str(), &st) == 0 && st.st_size > regs::pci::kUnprivilegedSize) {
      address = PciAddress::parse(device.filename().string()).value_or(PciAddress{});
      break;
    }
  }
  if (!address) {
    GTEST_SKIP() << "no function here has more than 64 bytes of config space";
  }
  auto platform = open_real();
  ASSERT_NE(platform, nullptr);
  expect_as_unprivileged([&] {
    auto cut = platform->read_config(*address);
    auto partial = platform->read_config(*address, /*allow_partial=*/true);
    const bool ok = !cut && cut.error().code() == Errc::kPermissionDenied &&
                    cut.error().message().find("CAP_SYS_ADMIN") != std::string::npos && partial &&
                    partial->size() == regs::pci::kUnprivilegedSize;
    if (!ok) std::cerr << (cut ? "read_config succeeded" : cut.error().message()) << "\n";
    return ok;
  });
}

// Opening config read-write is refused by file permissions before any byte
// can reach the device, so this is safe on any machine.
TEST(RealSysfs, UnprivilegedConfigWriteIsPermissionDenied) {
  const auto devices = real_devices();
  if (devices.empty()) {
    GTEST_SKIP() << kRealSysfs << " has no devices here";
  }
  const PciAddress address = PciAddress::parse(devices.front().filename().string()).value_or(PciAddress{});
  auto platform = open_real();
  ASSERT_NE(platform, nullptr);
  expect_as_unprivileged([&] {
    Status written = platform->config_write32(address, regs::pci::kVendorId, 0);
    if (!written) std::cerr << written.error().message() << "\n";
    return !written && written.error().code() == Errc::kPermissionDenied;
  });
}

// Under lockdown the kernel refuses the write itself. The write rewrites the
// read-only vendor/device ID dword with the value just read, so even on a
// machine where it got through it would change nothing.
TEST(RealSysfs, ConfigWriteUnderLockdownNamesLockdown) {
  const auto lockdown = detail::read_lockdown();
  if (lockdown == detail::LockdownState::kUnknown) {
    GTEST_SKIP() << detail::kLockdownFile << " is absent or unreadable, so lockdown cannot be confirmed";
  }
  if (lockdown == detail::LockdownState::kNone) {
    GTEST_SKIP() << "kernel lockdown is off on this machine";
  }
  const auto devices = real_devices();
  if (devices.empty()) {
    GTEST_SKIP() << kRealSysfs << " has no devices here";
  }
  const PciAddress address = PciAddress::parse(devices.front().filename().string()).value_or(PciAddress{});
  auto platform = open_real();
  ASSERT_NE(platform, nullptr);
  auto ids = platform->config_read32(address, regs::pci::kVendorId);
  ASSERT_TRUE(ids) << ids.error().message();
  Status written = platform->config_write32(address, regs::pci::kVendorId, *ids);
  ASSERT_FALSE(written);
  EXPECT_TRUE(written.error().code() == Errc::kLockedDown || written.error().code() == Errc::kPermissionDenied)
      << errc_name(written.error().code());
  EXPECT_NE(written.error().message().find("lockdown"), std::string::npos) << written.error().message();
}

}  // namespace
}  // namespace cpmu
