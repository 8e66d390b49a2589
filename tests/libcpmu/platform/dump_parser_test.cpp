// parse_dump(): the bytes of each function, and where trouble lands. A bad
// line spoils only the function it belongs to (its problem names the file and
// line, and the rows before it are kept); a line outside any function is
// reported on its own; every other function parses as from the good text.
#include "platform/dump_parser.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cpmu/regs/pci_config.hpp"
#include "fake_sysfs.hpp"

namespace cpmu::detail {
namespace {

const std::string kPath = "dumps/machine.txt";
const std::string kHeader = "0d:00.0 CXL: Intel Corporation Device 0d93 (rev 01)\n";
const std::string kRow0 = "00: 86 80 93 0d 03 01 10 00 01 10 02 05 00 00 00 00\n";
const std::string kRow1 = "10: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 00\n";
// A second, good function after the one the cases damage.
const std::string kSecond = "\n0000:0e:00.0 CXL: Intel Corporation Device 0d93 (rev 01)\n" + kRow0 + kRow1;
constexpr PciAddress kFirst{0, 0x0d, 0, 0};
constexpr PciAddress kSecondAddress{0, 0x0e, 0, 0};

ParsedDump parse_good(const std::string& text) {
  auto dump = parse_dump(kPath, text);
  EXPECT_TRUE(dump) << dump.error().message();
  return dump ? std::move(*dump) : ParsedDump{};
}

// The 1-based number of the line that starts at `pos`.
unsigned line_at(const std::string& text, std::size_t pos) {
  return static_cast<unsigned>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n')) + 1;
}

bool printable_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

TEST(DumpParser, KeepsEachFunctionsRowsAndHeaderLine) {
  const std::string text = testing::read_text(testing::qemu_dumps() / "switch" / "lspci-xxxx.txt");
  const ParsedDump dump = parse_good(text);
  EXPECT_TRUE(dump.problems.empty());
  ASSERT_EQ(dump.functions.size(), 10u);
  for (const auto& [address, function] : dump.functions) {
    EXPECT_FALSE(function.problem) << address.to_string() << ": " << function.problem->message();
    // The header line is where the address is written, as lspci writes it.
    const std::string bdf = address.to_string().substr(5);
    EXPECT_EQ(line_at(text, text.find(bdf + " ")), function.line) << bdf;
  }
  EXPECT_EQ(dump.functions.at(PciAddress{0, 0, 0, 0}).config.size(), regs::pci::kLegacyConfigSize);
  EXPECT_EQ(dump.functions.at(PciAddress{0, 0x0f, 0, 0}).config,
            testing::read_binary(testing::qemu_dumps() / "switch" / "cxl-type3_0f-00.0.config.bin"));
}

// Each case replaces the first function's second row (line 3).
TEST(DumpParser, ABadRowSpoilsOnlyItsFunctionNamingFileAndLine) {
  const ParsedDump good = parse_good(kHeader + kRow0 + kRow1 + kSecond);
  struct Case {
    const char* name;
    std::string line;
    std::string what;
  };
  const std::vector<Case> cases = {
      {"garbled hex", "10: 04 00 zz fe 00 00 00 00 04 00 01 fe 00 00 00 00", "'zz' is not a hexadecimal byte"},
      {"truncated row", "10: 04 00 00 fe 00 00", "the row holds 6 bytes where lspci writes 16: the line is truncated"},
      {"byte cut in half", "10: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 0", "'0' is not a hexadecimal byte"},
      {"one byte too many", "10: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 00 00",
       "the row holds 17 bytes where lspci writes 16"},
      {"two spaces", "10: 04 00 00 fe  00 00 00 04 00 01 fe 00 00 00 00",
       "bytes must be separated by exactly one space"},
      {"trailing space", "10: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 00 ",
       "bytes must be separated by exactly one space"},
      {"non-hex offset", "1g: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 00",
       "'1g' is not a hexadecimal config-space offset"},
      {"wrong offset", "20: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 00",
       "row for offset 0x20 where lspci writes 0x10 next"},
      {"offset past config space", "1000: 04 00 00 fe 00 00 00 00 04 00 01 fe 00 00 00 00",
       "offset 0x1000 is past the 4096-byte config space"},
      {"junk line", "hello world", "expected a config-space row"},
      {"overlong line", std::string(300, 'a'), "the line is longer than 253 characters"},
      {"overlong detail line", "\t" + std::string(300, 'a'), "the line is longer than 253 characters"},
      {"binary bytes", std::string("10: 04 \xff\x01 fe 00 00 00 00 04 00 01 fe 00 00 00 00"),
       "'\\xff\\x01' is not a hexadecimal byte"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto dump = parse_dump(kPath, kHeader + kRow0 + c.line + "\n" + kSecond);
    ASSERT_TRUE(dump) << dump.error().message();
    EXPECT_TRUE(dump->problems.empty());
    ASSERT_EQ(dump->functions.size(), 2u);
    const DumpedFunction& bad = dump->functions.at(kFirst);
    ASSERT_TRUE(bad.problem);
    EXPECT_EQ(bad.problem->code(), Errc::kMalformed);
    const std::string& message = bad.problem->message();
    EXPECT_TRUE(message.starts_with(kPath + ":3: " + c.what)) << message;
    EXPECT_NE(message.find("only the 16 config-space bytes of 0000:0d:00.0 before it are read"), std::string::npos)
        << message;
    EXPECT_TRUE(printable_ascii(message)) << message;
    // The rows before the bad one are kept; the function after it is untouched.
    const auto& whole = good.functions.at(kFirst).config;
    EXPECT_EQ(bad.config, std::vector<std::uint8_t>(whole.begin(), whole.begin() + 16));
    EXPECT_EQ(bad.line, 1u);
    const DumpedFunction& next = dump->functions.at(kSecondAddress);
    EXPECT_FALSE(next.problem);
    EXPECT_EQ(next.config, good.functions.at(kSecondAddress).config);
  }
}

TEST(DumpParser, ALastLineWithoutNewlineSpoilsItsFunction) {
  const ParsedDump good = parse_good(kHeader + kRow0 + kRow1 + kSecond);
  // Cut inside the last row, and right before its newline: both are truncated files.
  for (std::size_t keep : {std::size_t{10}, kRow1.size() - 1}) {
    SCOPED_TRACE(keep);
    const std::string text = kHeader + kRow0 + kRow1 + kSecond.substr(0, kSecond.size() - kRow1.size()) +
                             kRow1.substr(0, keep);
    auto dump = parse_dump(kPath, text);
    ASSERT_TRUE(dump) << dump.error().message();
    const DumpedFunction& cut = dump->functions.at(kSecondAddress);
    ASSERT_TRUE(cut.problem);
    EXPECT_TRUE(cut.problem->message().starts_with(
        fmt::format("{}:{}: the last line has no newline: the file is truncated", kPath, line_at(text, text.size()))))
        << cut.problem->message();
    EXPECT_EQ(cut.config.size(), 16u);
    EXPECT_FALSE(dump->functions.at(kFirst).problem);
    EXPECT_EQ(dump->functions.at(kFirst).config, good.functions.at(kFirst).config);
  }
}

TEST(DumpParser, HeaderTroubleIsTheFunctionsOwn) {
  auto bare = parse_dump(kPath, "0d:00.0\n" + kRow0 + kSecond);
  ASSERT_TRUE(bare) << bare.error().message();
  ASSERT_TRUE(bare->functions.at(kFirst).problem);
  EXPECT_TRUE(bare->functions.at(kFirst).problem->message().starts_with(
      kPath + ":1: a device header needs a description after the address"));
  EXPECT_TRUE(bare->functions.at(kFirst).config.empty());
  EXPECT_FALSE(bare->functions.at(kSecondAddress).problem);

  auto empty = parse_dump(kPath, kHeader + kSecond);
  ASSERT_TRUE(empty) << empty.error().message();
  ASSERT_TRUE(empty->functions.at(kFirst).problem);
  EXPECT_EQ(empty->functions.at(kFirst).problem->message(), kPath + ":1: 0000:0d:00.0 has no config-space rows");
  EXPECT_FALSE(empty->functions.at(kSecondAddress).problem);
}

// The second copy of an address cannot be told from the first: the function
// is read from the first and marked, naming both lines.
TEST(DumpParser, ADuplicateAddressMarksTheFunctionAndKeepsTheFirstCopy) {
  const std::string first = kHeader + kRow0 + kRow1;
  const std::string text = first + kSecond + "\n" + kHeader + kRow0;
  auto dump = parse_dump(kPath, text);
  ASSERT_TRUE(dump) << dump.error().message();
  const DumpedFunction& twice = dump->functions.at(kFirst);
  ASSERT_TRUE(twice.problem);
  EXPECT_EQ(twice.problem->message(),
            fmt::format("{}:{}: 0000:0d:00.0 appears a second time (first at line 1); only the first is read", kPath,
                        line_at(text, text.rfind(kHeader))));
  EXPECT_EQ(twice.config, parse_good(first).functions.at(kFirst).config);
  EXPECT_TRUE(dump->problems.empty());
  EXPECT_FALSE(dump->functions.at(kSecondAddress).problem);
}

TEST(DumpParser, LinesOutsideAnyFunctionAreReportedOnceAndSkipped) {
  const std::string good_text = kHeader + kRow0 + kRow1 + kSecond;
  const ParsedDump good = parse_good(good_text);
  struct Case {
    const char* name;
    std::string text;
    std::string at;     // where the problem is: the first line of this text
    std::string what;
  };
  const std::string junk = "hello world\n";
  const std::string bad_header = "0d:20.0 CXL: x\n";
  const std::vector<Case> cases = {
      {"row before any header", kRow1 + good_text, kRow1, "a config-space row with no device header above it"},
      {"junk before any header", junk + kRow0 + good_text, junk, "expected a device header ('0000:0d:00.0 ...')"},
      {"junk and rows between functions", kHeader + kRow0 + kRow1 + "\n" + junk + kRow0 + kRow1 + kSecond, junk,
       "expected a device header"},
      {"unparseable address", bad_header + kRow0 + kRow1 + "\n" + good_text, bad_header,
       "'0d:20.0' is not a PCI address"},
      {"overlong line between functions",
       kHeader + kRow0 + kRow1 + "\n" + std::string(300, 'x') + "\n" + kSecond.substr(1),
       std::string(300, 'x'), "the line is longer than 253 characters"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto dump = parse_dump(kPath, c.text);
    ASSERT_TRUE(dump) << dump.error().message();
    ASSERT_EQ(dump->problems.size(), 1u);
    EXPECT_TRUE(dump->problems[0].message().starts_with(
        fmt::format("{}:{}: {}", kPath, line_at(c.text, c.text.find(c.at)), c.what)))
        << dump->problems[0].message();
    ASSERT_EQ(dump->functions.size(), good.functions.size());
    for (const auto& [address, function] : good.functions) {
      EXPECT_FALSE(dump->functions.at(address).problem) << address.to_string();
      EXPECT_EQ(dump->functions.at(address).config, function.config) << address.to_string();
    }
  }
}

TEST(DumpParser, ABlankLineInsideAFunctionCutsItThere) {
  const std::string text = kHeader + kRow0 + "\n" + kRow1 + kSecond;
  auto dump = parse_dump(kPath, text);
  ASSERT_TRUE(dump) << dump.error().message();
  EXPECT_EQ(dump->functions.at(kFirst).config.size(), 16u);
  ASSERT_EQ(dump->problems.size(), 1u);
  EXPECT_TRUE(dump->problems[0].message().starts_with(kPath + ":4: a config-space row with no device header"));
}

// lspci writes a domain above ffff (Intel VMD) with five digits; PciAddress
// cannot hold it, so the device is left out, as the Linux backend does.
TEST(DumpParser, ADeviceInADomainAboveFfffIsLeftOut) {
  auto dump = parse_dump(kPath, "10000:00:00.0 PCI bridge: VMD\n" + kRow0 + kRow1 + kSecond);
  ASSERT_TRUE(dump) << dump.error().message();
  EXPECT_TRUE(dump->problems.empty());
  ASSERT_EQ(dump->functions.size(), 1u);
  EXPECT_TRUE(dump->functions.contains(kSecondAddress));
}

// Nothing to list: the whole file is refused, naming it.
TEST(DumpParser, AFileWithoutDevicesIsAnError) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the file is empty"},
      {"hello\nworld\n", "no device header"},
      {kRow0 + kRow1, "no device header"},
      {std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0", 12), "no device header"},
  };
  for (const auto& [text, what] : cases) {
    auto dump = parse_dump(kPath, text);
    ASSERT_FALSE(dump) << what;
    EXPECT_EQ(dump.error().code(), Errc::kMalformed);
    EXPECT_TRUE(dump.error().message().starts_with(kPath + ": ")) << dump.error().message();
    EXPECT_NE(dump.error().message().find(what), std::string::npos) << dump.error().message();
  }
}

}  // namespace
}  // namespace cpmu::detail
