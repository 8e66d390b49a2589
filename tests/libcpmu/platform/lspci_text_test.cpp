// lspci -xxxx text writer: line format, address forms, and byte-for-byte
// agreement with real lspci output for QEMU's type-3 device.
#include "cpmu/lspci_text.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace cpmu {
namespace {

std::string fixture_file(const std::string& name) {
  std::ifstream in(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/full/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(LspciText, FirstLineNamesAddressClassIdsAndRevision) {
  std::vector<std::uint8_t> config(64, 0);
  config[0] = 0x36, config[1] = 0x1b, config[2] = 0x03, config[3] = 0xc0;
  config[8] = 0x01, config[9] = 0x10, config[10] = 0x02, config[11] = 0x05;
  const std::string text = format_lspci_function({0, 0x0d, 0x00, 0}, config);
  EXPECT_EQ(lines(text).at(0), "0d:00.0 CXL: Device 1b36:c003 (rev 01)");
}

TEST(LspciText, BridgeWithoutRevisionAndNonZeroDomain) {
  std::vector<std::uint8_t> config(64, 0);
  config[0] = 0x36, config[1] = 0x1b, config[10] = 0x04, config[11] = 0x06;
  const std::string text = format_lspci_function({0x0001, 0xde, 0x1f, 7}, config);
  EXPECT_EQ(lines(text).at(0), "0001:de:1f.7 PCI bridge: Device 1b36:0000");
}

TEST(LspciText, SixteenBytesPerLineThenAnEmptyLine) {
  std::vector<std::uint8_t> config(64);
  for (unsigned i = 0; i < config.size(); ++i) config[i] = static_cast<std::uint8_t>(i * 7);
  const std::vector<std::string> out = lines(format_lspci_function({0, 1, 2, 3}, config));
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[1], "00: 00 07 0e 15 1c 23 2a 31 38 3f 46 4d 54 5b 62 69");
  EXPECT_EQ(out[4], "30: 50 57 5e 65 6c 73 7a 81 88 8f 96 9d a4 ab b2 b9");
  EXPECT_EQ(out[5], "");
}

TEST(LspciText, ExtendedSpaceOffsetsGrowToThreeDigits) {
  std::vector<std::uint8_t> config(4096, 0);
  const std::vector<std::string> out = lines(format_lspci_function({0, 1, 0, 0}, config));
  ASSERT_EQ(out.size(), 1u + 256u + 1u);
  EXPECT_EQ(out[16], "f0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
  EXPECT_EQ(out[17], "100: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
  EXPECT_EQ(out[256], "ff0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
}

TEST(LspciText, HexLinesMatchRealLspciForQemuType3) {
  const std::string raw = fixture_file("cxl-type3_0d-00.0.config.bin");
  ASSERT_EQ(raw.size(), 4096u);
  const std::vector<std::uint8_t> config(raw.begin(), raw.end());
  const std::vector<std::string> ours = lines(format_lspci_function({0, 0x0d, 0, 0}, config));
  const std::vector<std::string> real = lines(fixture_file("cxl-type3_0d-00.0.lspci-xxxx.txt"));
  ASSERT_EQ(ours.size(), real.size());
  EXPECT_EQ(ours[0].substr(0, 8), real[0].substr(0, 8));   // "0d:00.0 "; lspci names vendors from pci.ids
  for (std::size_t i = 1; i < ours.size(); ++i) EXPECT_EQ(ours[i], real[i]) << "line " << i;
}

}  // namespace
}  // namespace cpmu
