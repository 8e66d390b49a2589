#include "platform/dump_platform.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "cpmu/regs/pci_config.hpp"
#include "fake_sysfs.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr PciAddress kSwitchType3{0, 0x0f, 0, 0};

Result<std::unique_ptr<Platform>> open_dump(const fs::path& file) {
  return detail::DumpPlatform::open(PlatformOptions{"dump", "", file.string()});
}

std::unique_ptr<Platform> open_qemu(const char* topology) {
  auto platform = open_dump(testing::qemu_dumps() / topology / "lspci-xxxx.txt");
  EXPECT_TRUE(platform) << platform.error().message();
  return platform ? std::move(*platform) : nullptr;
}

// The lspci -xxxx text of the first `rows` rows of a per-function dump.
std::string first_rows(const fs::path& file, unsigned rows) {
  std::istringstream in(testing::read_text(file));
  std::string text, line;
  for (unsigned i = 0; i <= rows && std::getline(in, line); ++i) text += line + "\n";
  return text;
}

TEST(DumpPlatform, EnumeratesTheSwitchTopologyInAddressOrder) {
  auto platform = open_qemu("switch");
  ASSERT_NE(platform, nullptr);
  EXPECT_EQ(platform->name(), "dump");
  auto functions = platform->enumerate();
  ASSERT_TRUE(functions) << functions.error().message();
  ASSERT_EQ(functions->size(), 10u);
  EXPECT_TRUE(std::is_sorted(functions->begin(), functions->end(),
                             [](const auto& a, const auto& b) { return a.address < b.address; }));

  auto find = [&](PciAddress address) {
    return *std::find_if(functions->begin(), functions->end(), [&](const auto& f) { return f.address == address; });
  };
  const PciFunctionInfo type3 = find(kSwitchType3);
  EXPECT_EQ(type3.vendor_id, 0x8086);
  EXPECT_EQ(type3.device_id, 0x0d93);
  EXPECT_EQ(type3.class_code, 0x050210u);
  EXPECT_EQ(type3.revision, 1);
  EXPECT_EQ(type3.header_type, regs::pci::header_type::kEndpoint);
  EXPECT_EQ(type3.driver, "");
  EXPECT_EQ(type3.sysfs_path, "");
  // Addresses and widths come from the BARs themselves; a dump has no sizes.
  ASSERT_EQ(type3.bars.size(), 3u);
  EXPECT_EQ(type3.bars[0].index, 0u);
  EXPECT_EQ(type3.bars[0].base, 0xfe000000u);
  EXPECT_TRUE(type3.bars[0].is_64bit);
  EXPECT_EQ(type3.bars[0].size, 0u);
  EXPECT_EQ(type3.bars[1].index, 2u);
  EXPECT_EQ(type3.bars[1].base, 0xfe010000u);
  EXPECT_EQ(type3.bars[2].index, 4u);
  EXPECT_FALSE(type3.bars[2].is_64bit);

  const PciFunctionInfo root_port = find(PciAddress{0, 0x0c, 0, 0});
  EXPECT_EQ(root_port.vendor_id, 0x8086);
  EXPECT_EQ(root_port.device_id, 0x7075);
  EXPECT_EQ(root_port.header_type, regs::pci::header_type::kBridge);
  EXPECT_EQ(find(PciAddress{0, 0x0d, 0, 0}).device_id, 0xa128);
  EXPECT_EQ(find(PciAddress{0, 0x0e, 1, 0}).device_id, 0xa129);
  EXPECT_EQ(find(PciAddress{0, 0x10, 0, 0}).device_id, 0x0d93);
}

TEST(DumpPlatform, EnumeratesBothHostBridgesOfTheFullTopology) {
  auto platform = open_qemu("full");
  ASSERT_NE(platform, nullptr);
  auto functions = platform->enumerate();
  ASSERT_TRUE(functions) << functions.error().message();
  EXPECT_EQ(functions->size(), 14u);
  EXPECT_EQ(functions->back().address, (PciAddress{0, 0xdf, 0, 0}));
  EXPECT_EQ(functions->back().device_id, 0x0d93);
}

// Every function QEMU dumped: the dump's config space is byte for byte the
// sysfs config file captured beside it.
TEST(DumpPlatform, ConfigSpaceEqualsTheCapturedConfigFiles) {
  unsigned compared = 0;
  for (const char* topology : {"switch", "full"}) {
    auto platform = open_qemu(topology);
    ASSERT_NE(platform, nullptr);
    for (const auto& entry : fs::directory_iterator(testing::qemu_dumps() / topology)) {
      const std::string name = entry.path().filename().string();
      const auto suffix = name.find(".config.bin");
      if (suffix == std::string::npos) continue;
      std::string bdf = name.substr(name.find('_') + 1, suffix - name.find('_') - 1);
      std::replace(bdf.begin(), bdf.end(), '-', ':');
      auto address = PciAddress::parse(bdf);
      ASSERT_TRUE(address) << name;
      auto config = platform->read_config(*address);
      ASSERT_TRUE(config) << config.error().message();
      EXPECT_EQ(*config, testing::read_binary(entry.path())) << name;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 6u + 10u);
}

TEST(DumpPlatform, ConventionalFunctionIsCompleteWith256Bytes) {
  auto platform = open_qemu("switch");
  ASSERT_NE(platform, nullptr);
  auto config = platform->read_config(PciAddress{0, 0, 0, 0});
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->size(), regs::pci::kLegacyConfigSize);
}

TEST(DumpPlatform, CutDumpOfAPcieFunctionNeedsAllowPartial) {
  const fs::path source = testing::qemu_dumps() / "switch" / "cxl-type3_0f-00.0.lspci-xxxx.txt";
  const auto full = testing::read_binary(testing::qemu_dumps() / "switch" / "cxl-type3_0f-00.0.config.bin");
  TempDir dir;
  for (auto [bytes, whole] : {std::pair{64u, "at least 256"}, std::pair{256u, "4096"}}) {
    SCOPED_TRACE(bytes);
    const fs::path file = dir / "cut.txt";
    testing::write_file(file, first_rows(source, bytes / 16));
    auto platform = open_dump(file);
    ASSERT_TRUE(platform) << platform.error().message();
    const PciAddress address = kSwitchType3;

    auto refused = (*platform)->read_config(address);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), Errc::kUnsupported);
    EXPECT_NE(refused.error().message().find(fmt::format("holds {} of the {} config-space bytes", bytes, whole)), std::string::npos)
        << refused.error().message();
    EXPECT_NE(refused.error().message().find(file.string()), std::string::npos);

    auto partial = (*platform)->read_config(address, /*allow_partial=*/true);
    ASSERT_TRUE(partial) << partial.error().message();
    EXPECT_EQ(*partial, std::vector<std::uint8_t>(full.begin(), full.begin() + bytes));
  }
}

TEST(DumpPlatform, ConfigRead32ReadsHeldDwordsOnly) {
  auto platform = open_qemu("switch");
  ASSERT_NE(platform, nullptr);
  auto ids = platform->config_read32(kSwitchType3, regs::pci::kVendorId);
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_EQ(*ids, 0x0d938086u);
  auto ext = platform->config_read32(kSwitchType3, regs::pci::kExtCapStart);
  ASSERT_TRUE(ext);
  EXPECT_EQ(regs::pci::ext_cap::kId.get(*ext), regs::pci::ext_cap_id::kDsn);

  EXPECT_EQ(platform->config_read32(kSwitchType3, 6).error().code(), Errc::kInvalidArgument);
  EXPECT_EQ(platform->config_read32(kSwitchType3, regs::pci::kConfigSize).error().code(), Errc::kInvalidArgument);
  auto beyond = platform->config_read32(PciAddress{0, 0, 0, 0}, regs::pci::kExtCapStart);
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().code(), Errc::kUnsupported);
  EXPECT_EQ(platform->config_read32(PciAddress{0, 0x42, 0, 0}, 0).error().code(), Errc::kNotFound);
}

TEST(DumpPlatform, WritesBarsAndInterruptsAreUnsupported) {
  auto platform = open_qemu("switch");
  ASSERT_NE(platform, nullptr);
  Status written = platform->config_write32(kSwitchType3, regs::pci::kCommand, 0);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code(), Errc::kUnsupported);
  EXPECT_NE(written.error().message().find("dump files are read-only"), std::string::npos);
  auto bar = platform->map_bar(kSwitchType3, 0, 0, 0x1000);
  ASSERT_FALSE(bar);
  EXPECT_EQ(bar.error().code(), Errc::kUnsupported);
  EXPECT_NE(bar.error().message().find("a dump carries config space only"), std::string::npos);
  auto irq = platform->interrupt(kSwitchType3, 0);
  ASSERT_FALSE(irq);
  EXPECT_NE(irq.error().message().find("a dump carries config space only"), std::string::npos);
}

TEST(DumpPlatform, MissingFileIsNotFoundNamingIt) {
  auto platform = open_dump("/nonexistent/cpmu/lspci.txt");
  ASSERT_FALSE(platform);
  EXPECT_EQ(platform.error().code(), Errc::kNotFound);
  EXPECT_NE(platform.error().message().find("/nonexistent/cpmu/lspci.txt"), std::string::npos);
}

// Each malformed dump is refused with the file, the line and what is wrong,
// and the process carries on.
TEST(DumpPlatform, MalformedDumpsAreErrorsNamingFileAndLine) {
  const std::string header = "0d:00.0 CXL: Intel Corporation Device 0d93 (rev 01)\n";
  const std::string row0 = "00: 86 80 93 0d 03 01 10 00 01 10 02 05 00 00 00 00\n";
  const std::string row1 = "10: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 00\n";
  struct Case {
    const char* name;
    std::string text;
    std::string expected;  // "<line>: <part of the message>", or just part of it for whole-file errors
  };
  const std::vector<Case> cases = {
      {"empty file", "", "empty"},
      {"garbled hex", header + row0 + "10: 04 00 zz fe 00 00 00 00 04 00 01 fe 00 00 00 00\n", ":3: 'zz' is not"},
      {"truncated line", header + row0 + "10: 04 00 00 fe 00 00\n", ":3: the row holds 6 bytes"},
      {"byte cut in half", header + row0 + "10: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 0\n",
       ":3: '0' is not"},
      {"non-hex offset", header + row0 + "1g: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 00\n",
       ":3: '1g' is not a hexadecimal config-space offset"},
      {"unterminated last line", header + row0 + "10: 04 00 00 fe", ":3: the last line has no newline"},
      {"row before any header", row0, ":1: a config-space row with no device header"},
      {"rows out of order", header + row1, ":2: row for offset 0x10 where lspci writes 0x0"},
      {"duplicate device", header + row0 + "\n" + header + row0, ":4: 0000:0d:00.0 appears a second time (first at line 1)"},
      {"device without rows", header, ":1: 0000:0d:00.0 has no config-space rows"},
      {"junk line", header + row0 + "hello world\n", ":3: expected a device header"},
      {"bad address", "0d:20.0 CXL: x\n" + row0, ":1: '0d:20.0' is not a PCI address"},
      {"long line", header + row0 + std::string(300, 'a') + "\n", ":3: the line is longer than"},
  };
  TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path file = dir / "bad.txt";
    testing::write_file(file, c.text);
    auto platform = open_dump(file);
    ASSERT_FALSE(platform);
    EXPECT_EQ(platform.error().code(), Errc::kMalformed);
    const std::string want = c.expected.starts_with(':') ? file.string() + c.expected : c.expected;
    EXPECT_NE(platform.error().message().find(file.string()), std::string::npos) << platform.error().message();
    EXPECT_NE(platform.error().message().find(want), std::string::npos) << platform.error().message();
  }
}

TEST(DumpPlatform, IndexCountsTheBytesOfEachFunction) {
  const std::string text = testing::read_text(testing::qemu_dumps() / "switch" / "lspci-xxxx.txt");
  auto index = detail::index_dump("switch", text);
  ASSERT_TRUE(index) << index.error().message();
  EXPECT_EQ(index->size(), 10u);
  EXPECT_EQ(index->at(PciAddress{0, 0, 0, 0}).bytes, regs::pci::kLegacyConfigSize);
  EXPECT_EQ(index->at(kSwitchType3).bytes, regs::pci::kConfigSize);
  EXPECT_EQ(index->at(PciAddress{0, 0, 0, 0}).line, 1u);
}

TEST(DumpPlatform, AcceptsCrlfLinesAndLspciVerboseDetail) {
  const std::string source = first_rows(testing::qemu_dumps() / "switch" / "cxl-type3_0f-00.0.lspci-xxxx.txt", 4);
  std::string crlf;
  for (char c : source) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const std::string verbose = source.substr(0, source.find('\n') + 1) + "\tSubsystem: Red Hat, Inc. Device 1100\n" +
                              source.substr(source.find('\n') + 1);
  TempDir dir;
  for (const std::string& text : {crlf, verbose}) {
    testing::write_file(dir / "dump.txt", text);
    auto platform = open_dump(dir / "dump.txt");
    ASSERT_TRUE(platform) << platform.error().message();
    auto config = (*platform)->read_config(kSwitchType3, /*allow_partial=*/true);
    ASSERT_TRUE(config) << config.error().message();
    EXPECT_EQ(config->size(), regs::pci::kUnprivilegedSize);
  }
}

}  // namespace
}  // namespace cpmu
