// Component and memory-device register images: literal layouts and byte
// equality with the blocks QEMU 7.2 exposes (../shared/qemu-cxl/dumps/full).
#include "cxlsim/register_images.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace cpmu::sim {
namespace {

std::vector<std::uint8_t> read_dump(const std::string& name) {
  std::ifstream in(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/full/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint32_t dw(const RegisterImage& image, std::uint64_t offset) {
  return static_cast<std::uint32_t>(image.read(offset, 4));
}

TEST(ComponentImage, CapabilityArrayWithHdmDecoders) {
  RegisterImage image = component_block_image(1).value();
  EXPECT_EQ(image.size(), 0x1'0000u);
  EXPECT_EQ(dw(image, 0x1000), 0x0311'0001u);   // array: ID 1, v1, cache/mem v1, 3 caps
  EXPECT_EQ(dw(image, 0x1004), 0x0802'0002u);   // RAS v2 at +0x80
  EXPECT_EQ(dw(image, 0x1008), 0x0d82'0004u);   // Link v2 at +0xd8
  EXPECT_EQ(dw(image, 0x100c), 0x1101'0005u);   // HDM v1 at +0x110
  EXPECT_EQ(dw(image, 0x1084), 0x0001'cfffu);   // RAS uncorrectable mask
  EXPECT_EQ(dw(image, 0x1090), 0x0000'007fu);   // RAS correctable mask
  EXPECT_EQ(dw(image, 0x1110), 0x0000'0310u);   // 1 decoder, 1 target, interleave capable
}

TEST(ComponentImage, DecoderCountIsEncoded) {
  EXPECT_EQ(dw(component_block_image(2).value(), 0x1110), 0x0000'0311u);
  EXPECT_EQ(dw(component_block_image(4).value(), 0x1110), 0x0000'0312u);
  EXPECT_EQ(dw(component_block_image(8).value(), 0x1110), 0x0000'0314u);
}

TEST(ComponentImage, RejectsDecoderCountsTheFieldCannotEncode) {
  for (unsigned count : {0u, 3u, 5u, 10u}) {
    Result<RegisterImage> image = component_block_image(count);
    ASSERT_FALSE(image) << count;
    EXPECT_NE(image.error().message().find(std::to_string(count) + " HDM decoders"), std::string::npos);
  }
}

TEST(ComponentImage, PortWithoutDecodersHasRasAndLinkOnly) {
  RegisterImage image = component_block_image(std::nullopt).value();
  EXPECT_EQ(dw(image, 0x1000), 0x0211'0001u);
  EXPECT_EQ(dw(image, 0x100c), 0u);
}

TEST(ComponentImage, MatchesQemuType3CapabilityArray) {
  const std::vector<std::uint8_t> qemu = read_dump("cxl-type3_0d-00.0-blk1-bar0.bin");
  ASSERT_GE(qemu.size(), 0x2000u);
  const RegisterImage image = component_block_image(1).value();
  const std::vector<std::uint8_t>& ours = image.bytes();
  // Up to and including the HDM capability register; the global control after
  // it was enabled by the guest kernel.
  for (unsigned i = 0x1000; i < 0x1114; ++i) ASSERT_EQ(ours[i], qemu[i]) << std::hex << i;
}

TEST(ComponentImage, MatchesQemuDownstreamPortCapabilityArray) {
  const std::vector<std::uint8_t> qemu = read_dump("cxl-downstream_0f-00.0-blk1-bar0.bin");
  ASSERT_GE(qemu.size(), 0x2000u);
  const RegisterImage image = component_block_image(std::nullopt).value();
  const std::vector<std::uint8_t>& ours = image.bytes();
  for (unsigned i = 0; i < 0x2000; ++i) ASSERT_EQ(ours[i], qemu[i]) << std::hex << i;
}

TEST(MemoryDeviceImage, CapabilityArrayLayout) {
  RegisterImage image = memory_device_block_image();
  EXPECT_EQ(image.size(), 0x1000u);
  EXPECT_EQ(image.read(0, 8), 0x0000'0003'0001'0000u);   // ID 0, v1, 3 capabilities
  EXPECT_EQ(dw(image, 0x10), 0x0001'0001u);   // device status
  EXPECT_EQ(dw(image, 0x14), 0x80u);
  EXPECT_EQ(dw(image, 0x18), 0x8u);
  EXPECT_EQ(dw(image, 0x20), 0x0001'0002u);   // primary mailbox
  EXPECT_EQ(dw(image, 0x24), 0x88u);
  EXPECT_EQ(dw(image, 0x28), 0x820u);
  EXPECT_EQ(dw(image, 0x30), 0x0001'4000u);   // memory device
  EXPECT_EQ(dw(image, 0x34), 0x8a8u);
  EXPECT_EQ(dw(image, 0x88), 0x0000'000bu);   // 2 KiB payload
  EXPECT_EQ(image.read(0x8a8, 8), 0x14u);      // media ready, mailbox ready
}

TEST(MemoryDeviceImage, MatchesQemuType3HeadersAndStatus) {
  const std::vector<std::uint8_t> qemu = read_dump("cxl-type3_0d-00.0-blk3-bar2.bin");
  ASSERT_EQ(qemu.size(), 0x1000u);
  const RegisterImage image = memory_device_block_image();
  const std::vector<std::uint8_t>& ours = image.bytes();
  for (unsigned i = 0; i < 0x90; ++i) ASSERT_EQ(ours[i], qemu[i]) << std::hex << i;
  // QEMU's upper status DW repeats the lower one (it ignores the offset in
  // 8-byte registers); ours reads the real upper half, 0.
  for (unsigned i = 0x8a8; i < 0x8ac; ++i) ASSERT_EQ(ours[i], qemu[i]) << std::hex << i;
}

TEST(RegisterImage, ReadsPastTheEndAreZero) {
  RegisterImage image({0x11, 0x22, 0x33});
  EXPECT_EQ(image.read(0, 4), 0x33'2211u);
  EXPECT_EQ(image.read(2, 8), 0x33u);
  EXPECT_EQ(image.read(100, 8), 0u);
}

}  // namespace
}  // namespace cpmu::sim
