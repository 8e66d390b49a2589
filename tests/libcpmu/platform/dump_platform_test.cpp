#include "platform/dump_platform.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

#include "cpmu/regs/pci_config.hpp"
#include "expect_function_info.hpp"
#include "fake_sysfs.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr PciAddress kSwitchType3{0, 0x0f, 0, 0};

Result<std::unique_ptr<Platform>> open_dump(const fs::path& file) {
  return detail::DumpPlatform::open(testing::dump_source(file.string()));
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

// Every function enumerates as from `good`, and every one but `except` reads
// as from it too.
void expect_rest_as_good(Platform& damaged, Platform& good, std::optional<PciAddress> except) {
  auto got = damaged.enumerate();
  auto want = good.enumerate();
  ASSERT_TRUE(got && want);
  ASSERT_EQ(got->size(), want->size());
  for (std::size_t i = 0; i < want->size(); ++i) {
    testing::expect_same_info((*got)[i], (*want)[i]);
    const PciAddress address = (*want)[i].address;
    if (address == except) continue;
    auto bytes = damaged.read_config(address, /*allow_partial=*/true);
    auto good_bytes = good.read_config(address, /*allow_partial=*/true);
    ASSERT_TRUE(bytes && good_bytes) << address.to_string();
    EXPECT_EQ(*bytes, *good_bytes) << address.to_string();
    EXPECT_EQ(damaged.read_config(address).has_value(), good.read_config(address).has_value())
        << address.to_string();
  }
}

std::string switch_dump_text() { return testing::read_text(testing::qemu_dumps() / "switch" / "lspci-xxxx.txt"); }

// The 1-based number of the line that starts at `pos`.
unsigned line_at(const std::string& text, std::size_t pos) {
  return static_cast<unsigned>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n')) + 1;
}

// Each bad row of the switch upstream port (0d:00.0) replaces its row 0x40:
// the port is listed from the 64 bytes before it, with the line's problem, and
// every other function reads as from the good file.
TEST(DumpPlatform, ABadRowSpoilsOnlyItsFunction) {
  const std::string good_text = switch_dump_text();
  const std::string file = "/dumps/switch.txt";
  auto good = detail::DumpPlatform::from_text(file, good_text);
  ASSERT_TRUE(good) << good.error().message();
  const PciAddress usp{0, 0x0d, 0, 0};
  auto usp_config = (*good)->read_config(usp);
  ASSERT_TRUE(usp_config);
  const std::size_t row = good_text.find("\n40: ", good_text.find("\n0d:00.0 ")) + 1;
  const std::size_t row_end = good_text.find('\n', row);
  struct Case {
    const char* name;
    std::string line;
    std::string what;
  };
  const std::vector<Case> cases = {
      {"garbled byte", "40: 10 00 zz 00 00 00 00 00 00 00 00 00 00 00 00 00", "'zz' is not a hexadecimal byte"},
      {"wrong offset", "50: 10 00 52 00 00 00 00 00 00 00 00 00 00 00 00 00", "row for offset 0x50 where"},
      {"truncated row", "40: 10 00 52", "the row holds 3 bytes where lspci writes 16: the line is truncated"},
      {"overlong line", std::string(260, '4'), "the line is longer than 253 characters"},
      {"junk", "Express Endpoint, MSI 00", "expected a config-space row"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string text = good_text;
    text.replace(row, row_end - row, c.line);
    auto damaged = detail::DumpPlatform::from_text(file, text);
    ASSERT_TRUE(damaged) << damaged.error().message();
    EXPECT_TRUE((*damaged)->problems().empty());
    expect_rest_as_good(**damaged, **good, usp);

    auto refused = (*damaged)->read_config(usp);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), Errc::kMalformed);
    EXPECT_TRUE(refused.error().message().starts_with(fmt::format("{}:{}: {}", file, line_at(text, row), c.what)))
        << refused.error().message();
    auto partial = (*damaged)->read_config(usp, /*allow_partial=*/true);
    ASSERT_TRUE(partial) << partial.error().message();
    EXPECT_EQ(*partial, std::vector<std::uint8_t>(usp_config->begin(), usp_config->begin() + 0x40));
    EXPECT_EQ((*damaged)->config_read32(usp, 0x40).error().message(), refused.error().message());
    EXPECT_EQ(*(*damaged)->config_read32(usp, 0x3c), *(*good)->config_read32(usp, 0x3c));
  }
}

TEST(DumpPlatform, ATruncatedFileSpoilsOnlyTheLastFunction) {
  const std::string good_text = switch_dump_text();
  auto good = detail::DumpPlatform::from_text("switch.txt", good_text);
  ASSERT_TRUE(good) << good.error().message();
  // Cut in the middle of the last function's row 0x200.
  const std::size_t last = good_text.rfind("\n\n", good_text.size() - 3) + 2;   // the file ends in a blank line
  const std::size_t row = good_text.find("\n200: ", last) + 1;
  const std::string text = good_text.substr(0, row + 20);
  auto address = PciAddress::parse(good_text.substr(last, good_text.find(' ', last) - last));
  ASSERT_TRUE(address);
  auto cut = detail::DumpPlatform::from_text("switch.txt", text);
  ASSERT_TRUE(cut) << cut.error().message();
  expect_rest_as_good(**cut, **good, *address);
  auto refused = (*cut)->read_config(*address);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().message().starts_with(
      fmt::format("switch.txt:{}: the last line has no newline: the file is truncated", line_at(text, row))))
      << refused.error().message();
  auto partial = (*cut)->read_config(*address, true);
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->size(), 0x200u);
}

TEST(DumpPlatform, ADuplicateAddressIsReadFromItsFirstCopyAndMarked) {
  const std::string good_text = switch_dump_text();
  auto good = detail::DumpPlatform::from_text("switch.txt", good_text);
  ASSERT_TRUE(good) << good.error().message();
  // A second 0f:00.0 at the end, with other IDs.
  const std::size_t first = good_text.find("\n0f:00.0 ") + 1;
  const std::string copy = "0f:00.0 CXL: another device\n00: 34 12 78 56 00 00 00 00 00 00 00 00 00 00 00 00\n";
  const std::string text = good_text + "\n" + copy;
  auto damaged = detail::DumpPlatform::from_text("switch.txt", text);
  ASSERT_TRUE(damaged) << damaged.error().message();
  expect_rest_as_good(**damaged, **good, kSwitchType3);
  auto refused = (*damaged)->read_config(kSwitchType3);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(),
            fmt::format("switch.txt:{}: 0000:0f:00.0 appears a second time (first at line {}); only the first is read",
                        line_at(text, text.rfind(copy)), line_at(text, first)));
  EXPECT_EQ(*(*damaged)->read_config(kSwitchType3, true), *(*good)->read_config(kSwitchType3));
}

// Lines that belong to no function are the dump's own problems; every
// function still reads as from the good file.
TEST(DumpPlatform, LinesOutsideAnyFunctionAreTheDumpsProblems) {
  const std::string good_text = switch_dump_text();
  auto good = detail::DumpPlatform::from_text("switch.txt", good_text);
  ASSERT_TRUE(good) << good.error().message();
  const std::size_t usp = good_text.find("\n0d:00.0 ") + 1;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"garbage\n" + good_text, "switch.txt:1: expected a device header"},
      {good_text.substr(0, usp) + "0d:00.9 PCI bridge\n00: 00\n\n" + good_text.substr(usp),
       fmt::format("switch.txt:{}: '0d:00.9' is not a PCI address", line_at(good_text, usp))},
  };
  for (const auto& [text, what] : cases) {
    auto damaged = detail::DumpPlatform::from_text("switch.txt", text);
    ASSERT_TRUE(damaged) << damaged.error().message();
    expect_rest_as_good(**damaged, **good, std::nullopt);
    const std::vector<Error> problems = (*damaged)->problems();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].code(), Errc::kMalformed);
    EXPECT_TRUE(problems[0].message().starts_with(what)) << problems[0].message();
  }
}

// Nothing that is a device: the backend cannot open.
TEST(DumpPlatform, AFileWithNoDeviceIsRefusedNamingIt) {
  TempDir dir;
  for (const std::string& text :
       {std::string(), std::string("not a dump\n"), std::string("\x89PNG\r\n\x1a\n\0\0", 10)}) {
    const fs::path file = dir / "bad.txt";
    testing::write_file(file, text);
    auto platform = open_dump(file);
    ASSERT_FALSE(platform);
    EXPECT_EQ(platform.error().code(), Errc::kMalformed);
    EXPECT_TRUE(platform.error().message().starts_with(file.string() + ": ")) << platform.error().message();
  }
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
