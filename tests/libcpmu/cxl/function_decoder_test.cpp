// decode_function() over QEMU 7.2's own config spaces (an independent model:
// expected values from shared/qemu-cxl/dumps/README.md) and over hand-built
// bad ones.
#include "cpmu/discovery.hpp"

#include <gtest/gtest.h>

#include "../config_bytes.hpp"

namespace cpmu {
namespace {

using cpmu::testing::ConfigBytes;
using cpmu::testing::qemu_config;

DiscoveredFunction decode_qemu(const std::string& topology, const std::string& prefix) {
  auto bytes = qemu_config(topology, prefix);
  EXPECT_EQ(bytes.size(), 4096u) << prefix;
  PciFunctionInfo info;
  return decode_function(ConfigSpace(bytes), info);
}

TEST(FunctionDecoder, QemuType3HasItsDvsecsBlocksDoeAndSerial) {
  auto fn = decode_qemu("switch", "cxl-type3_0f-00.0");
  EXPECT_TRUE(fn.problems.empty()) << fn.problems.front().message();
  EXPECT_EQ(fn.kind, ComponentKind::kEndpoint);
  EXPECT_TRUE(fn.memory_device);
  EXPECT_TRUE(fn.is_cxl());
  ASSERT_EQ(fn.dvsecs.size(), 3u);
  EXPECT_EQ(fn.dvsecs[0].offset, 0x10cu);
  EXPECT_EQ(fn.dvsecs[0].id, 0);
  EXPECT_EQ(fn.dvsecs[0].vendor_id, 0x1e98);
  EXPECT_EQ(fn.dvsecs[0].revision, 1u);
  EXPECT_EQ(fn.dvsecs[0].length, 56u);
  EXPECT_EQ(fn.dvsecs[1].offset, 0x144u);
  EXPECT_EQ(fn.dvsecs[1].id, 8);
  EXPECT_EQ(fn.dvsecs[1].length, 36u);
  EXPECT_EQ(fn.dvsecs[2].offset, 0x168u);
  EXPECT_EQ(fn.dvsecs[2].id, 5);
  ASSERT_EQ(fn.register_blocks.size(), 2u);
  EXPECT_EQ(fn.register_blocks[0].bir, 0u);
  EXPECT_EQ(fn.register_blocks[0].block_id, 1u);
  EXPECT_EQ(fn.register_blocks[0].offset, 0u);
  EXPECT_EQ(fn.register_blocks[1].bir, 2u);
  EXPECT_EQ(fn.register_blocks[1].block_id, 3u);
  EXPECT_FALSE(fn.register_blocks[1].bar_size.has_value());   // no sizes without the platform
  ASSERT_EQ(fn.doe_mailboxes.size(), 1u);
  EXPECT_EQ(fn.doe_mailboxes[0].offset, 0x190u);
  EXPECT_TRUE(fn.doe_mailboxes[0].interrupt_support);
  EXPECT_EQ(fn.doe_mailboxes[0].interrupt_message, 0u);
  ASSERT_TRUE(fn.serial_number);
  EXPECT_EQ(*fn.serial_number, 0x1000u);
  ASSERT_TRUE(fn.link);
  EXPECT_EQ(fn.link->speed, 1u);   // 2.5 GT/s
  EXPECT_EQ(fn.link->width, 1u);
  EXPECT_EQ(fn.link->max_speed, 1u);
  EXPECT_EQ(fn.link->max_width, 1u);
  EXPECT_TRUE(fn.cpmus.empty());   // QEMU emulates no CPMU
}

TEST(FunctionDecoder, QemuPortsAreClassifiedByTheirPcieCapability) {
  auto rp = decode_qemu("switch", "cxl-rp_0c-00.0");
  EXPECT_EQ(rp.kind, ComponentKind::kRootPort);
  ASSERT_TRUE(rp.buses);
  EXPECT_EQ(rp.buses->secondary, 0x0du);
  EXPECT_EQ(rp.buses->subordinate, 0x10u);
  ASSERT_EQ(rp.dvsecs.size(), 4u);
  EXPECT_EQ(rp.dvsecs[0].offset, 0x150u);
  EXPECT_EQ(rp.dvsecs[0].id, 3);
  EXPECT_EQ(rp.dvsecs[3].offset, 0x19cu);
  EXPECT_EQ(rp.dvsecs[3].id, 8);
  ASSERT_EQ(rp.register_blocks.size(), 1u);
  EXPECT_EQ(rp.register_blocks[0].block_id, 1u);
  EXPECT_TRUE(rp.doe_mailboxes.empty());

  auto usp = decode_qemu("switch", "cxl-upstream_0d-00.0");
  EXPECT_EQ(usp.kind, ComponentKind::kSwitchUpstreamPort);
  ASSERT_EQ(usp.doe_mailboxes.size(), 1u);
  EXPECT_EQ(usp.doe_mailboxes[0].offset, 0x1a8u);
  ASSERT_EQ(usp.dvsecs.size(), 3u);
  EXPECT_EQ(usp.dvsecs[2].offset, 0x184u);

  auto dsp = decode_qemu("switch", "cxl-downstream_0e-01.0");
  EXPECT_EQ(dsp.kind, ComponentKind::kSwitchDownstreamPort);
  ASSERT_EQ(dsp.dvsecs.size(), 4u);
  EXPECT_EQ(dsp.dvsecs[3].offset, 0x194u);
  EXPECT_TRUE(rp.problems.empty() && usp.problems.empty() && dsp.problems.empty());
}

TEST(FunctionDecoder, AllOnesConfigSpaceIsADeviceThatIsGone) {
  std::vector<std::uint8_t> gone(4096, 0xff);
  auto fn = decode_function(ConfigSpace(gone), {});
  EXPECT_FALSE(fn.responding);
  ASSERT_EQ(fn.problems.size(), 1u);
  EXPECT_EQ(fn.problems[0].message(), "device not responding (reads all ones)");
  EXPECT_EQ(fn.problems[0].code(), Errc::kDeviceGone);
}

// A type-0 function with a 64-bit memory BAR0 and a 32-bit BAR2, a Register
// Locator DVSEC at 0x100 with the given entries (low, high DW each).
ConfigBytes with_locator(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& entries) {
  ConfigBytes c;
  c.put32(0x00, 0x0d938086).put32(0x10, 0xfe000004).put32(0x14, 0).put32(0x18, 0xfe010000);
  unsigned length = 0x0c + 8 * static_cast<unsigned>(entries.size());
  c.put32(0x100, 0x23 | 1u << 16).put32(0x104, 0x1e98 | length << 20).put16(0x108, 8);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    c.put32(0x10c + 8 * i, entries[i].first).put32(0x110 + 8 * i, entries[i].second);
  }
  return c;
}

PciFunctionInfo with_bar_sizes(std::uint64_t bar0, std::uint64_t bar2) {
  PciFunctionInfo info;
  info.bars = {BarInfo{0, 0xfe000000, bar0, false, true, false}, BarInfo{2, 0xfe010000, bar2, false, false, false}};
  return info;
}

TEST(FunctionDecoder, CpmuBlocksAreNumberedInLocatorOrder) {
  // Entries: BAR0+0 component; BAR2+0x10000 CPMU; BAR0+0x20000 CPMU (64 KiB units in 31:16).
  auto c = with_locator({{0x00000100, 0}, {0x00010402, 0}, {0x00020400, 0}});
  auto fn = decode_function(ConfigSpace(c.bytes()), with_bar_sizes(0x40000, 0x20000));
  EXPECT_TRUE(fn.problems.empty()) << fn.problems.front().message();
  ASSERT_EQ(fn.cpmus.size(), 2u);
  EXPECT_EQ(fn.cpmus[0].instance, 0u);
  EXPECT_EQ(fn.cpmus[0].block.bir, 2u);
  EXPECT_EQ(fn.cpmus[0].block.offset, 0x10000u);
  EXPECT_EQ(fn.cpmus[0].block.locator_entry, 1u);
  EXPECT_EQ(fn.cpmus[1].instance, 1u);
  EXPECT_EQ(fn.cpmus[1].block.bir, 0u);
  EXPECT_EQ(fn.cpmus[1].block.offset, 0x20000u);
  ASSERT_TRUE(fn.cpmus[1].block.bar_size);
  EXPECT_EQ(*fn.cpmus[1].block.bar_size, 0x40000u);
}

TEST(FunctionDecoder, LocatorHighDwordCarriesOffsetBits63To32) {
  auto c = with_locator({{0x00000400, 0x00000001}});
  auto fn = decode_function(ConfigSpace(c.bytes()), {});
  ASSERT_EQ(fn.cpmus.size(), 1u);
  EXPECT_EQ(fn.cpmus[0].block.offset, 0x100000000u);
}

TEST(FunctionDecoder, LocatorOffsetPastTheBarIsReportedAndSkipped) {
  auto c = with_locator({{0x00040400, 0}, {0x00000100, 0}});
  auto fn = decode_function(ConfigSpace(c.bytes()), with_bar_sizes(0x40000, 0x1000));
  EXPECT_TRUE(fn.cpmus.empty());
  ASSERT_EQ(fn.register_blocks.size(), 1u);
  ASSERT_EQ(fn.problems.size(), 1u);
  EXPECT_EQ(fn.problems[0].message(),
            "Register Locator at 0x100 entry 0: offset 0x40000 lies past BAR0 (256 KiB); entry skipped");
}

TEST(FunctionDecoder, LocatorBirNamingNoBarOrAnUpperHalfIsReported) {
  // BIR 6 (no such BAR), BIR 1 (upper half of 64-bit BAR0), BIR 3 (unimplemented).
  auto c = with_locator({{0x00000406, 0}, {0x00000401, 0}, {0x00000403, 0}});
  auto fn = decode_function(ConfigSpace(c.bytes()), {});
  EXPECT_TRUE(fn.cpmus.empty());
  ASSERT_EQ(fn.problems.size(), 3u);
  EXPECT_NE(fn.problems[0].message().find("BIR 6 names no BAR"), std::string::npos);
  EXPECT_NE(fn.problems[1].message().find("upper half of 64-bit BAR0"), std::string::npos);
  EXPECT_NE(fn.problems[2].message().find("BAR3, which is not implemented"), std::string::npos);
}

TEST(FunctionDecoder, CpmuBlockCutShortByItsBarIsReportedAndListed) {
  auto c = with_locator({{0x00010400, 0}});
  auto fn = decode_function(ConfigSpace(c.bytes()), with_bar_sizes(0x10800, 0x1000));
  ASSERT_EQ(fn.cpmus.size(), 1u);
  EXPECT_FALSE(fn.cpmus[0].capabilities);
  EXPECT_NE(fn.cpmus[0].capabilities_unknown.find("needs 0xe00 bytes"), std::string::npos);
  EXPECT_EQ(fn.problems.size(), 1u);
}

TEST(FunctionDecoder, DvsecLengthPast4KiBIsReportedAndItsBodyIgnored) {
  ConfigBytes c;
  c.put32(0x00, 0x0d938086).put32(0x10, 0xfe000000);
  c.put32(0xf00, 0x23 | 1u << 16).put32(0xf04, 0x1e98 | 0x124u << 20).put16(0xf08, 8);
  c.put32(0x100, 0x01 | 1u << 16 | 0xf00u << 20);
  auto fn = decode_function(ConfigSpace(c.bytes()), {});
  ASSERT_EQ(fn.dvsecs.size(), 1u);
  EXPECT_EQ(fn.dvsecs[0].length, 0x124u);
  EXPECT_TRUE(fn.register_blocks.empty());
  ASSERT_EQ(fn.problems.size(), 1u);
  EXPECT_EQ(fn.problems[0].message(),
            "DVSEC at 0xf00 (vendor 0x1e98, ID 8): length 292 runs past the end of config space (4 KiB)");
}

TEST(FunctionDecoder, DvsecShorterThanItsHeadersIsReported) {
  ConfigBytes c;
  c.put32(0x00, 0x0d938086);
  c.put32(0x100, 0x23 | 1u << 16).put32(0x104, 0x1e98 | 4u << 20).put16(0x108, 0);
  auto fn = decode_function(ConfigSpace(c.bytes()), {});
  ASSERT_EQ(fn.problems.size(), 1u);
  EXPECT_NE(fn.problems[0].message().find("shorter than its 10-byte headers"), std::string::npos);
}

TEST(FunctionDecoder, DvsecNamesComeFromTheFactsTable) {
  EXPECT_EQ(cxl_dvsec_name(0), "PCIe DVSEC for CXL Devices");
  EXPECT_EQ(cxl_dvsec_name(3), "CXL Extensions DVSEC for Ports");
  EXPECT_EQ(cxl_dvsec_name(7), "PCIe DVSEC for Flex Bus Port");
  EXPECT_EQ(cxl_dvsec_name(8), "Register Locator");
  EXPECT_EQ(cxl_dvsec_name(6), "");
  EXPECT_EQ(register_block_name(4), "cpmu");
  EXPECT_EQ(register_block_name(3), "memory-device");
}

TEST(FunctionDecoder, LinkSpeedCodesAndSizesReadAsPeopleWriteThem) {
  EXPECT_EQ(link_speed_name(1), "2.5GT/s");
  EXPECT_EQ(link_speed_name(5), "32GT/s");
  EXPECT_EQ(link_speed_name(6), "64GT/s");
  EXPECT_EQ(link_speed_name(0), "unknown (code 0)");
  EXPECT_EQ(link_speed_gt_s(4), 16.0);
  EXPECT_FALSE(link_speed_gt_s(7));
  EXPECT_EQ(byte_size_text(0x10000), "64 KiB");
  EXPECT_EQ(byte_size_text(0x200000), "2 MiB");
  EXPECT_EQ(byte_size_text(3000), "3000 bytes");
}

}  // namespace
}  // namespace cpmu
