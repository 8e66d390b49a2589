#include "pci/ext_cap_walk.hpp"

#include <gtest/gtest.h>

#include "../config_bytes.hpp"

namespace cpmu::detail {
namespace {

using cpmu::testing::ConfigBytes;

// Extended capability header: ID 15:0, version 19:16, next 31:20 (facts §1.1).
std::uint32_t ext_header(unsigned id, unsigned version, unsigned next) { return id | version << 16 | next << 20; }

TEST(ExtCapWalk, FollowsTheChainInOrder) {
  ConfigBytes c;
  c.put32(0x100, ext_header(0x03, 1, 0x10c)).put32(0x10c, ext_header(0x23, 1, 0x190)).put32(0x190, ext_header(0x2e, 1, 0));
  auto walk = walk_extended_capabilities(ConfigSpace(c.bytes()));
  ASSERT_EQ(walk.capabilities.size(), 3u);
  EXPECT_EQ(walk.capabilities[0].offset, 0x100u);
  EXPECT_EQ(walk.capabilities[0].id, 0x03u);
  EXPECT_EQ(walk.capabilities[1].offset, 0x10cu);
  EXPECT_EQ(walk.capabilities[1].id, 0x23u);
  EXPECT_EQ(walk.capabilities[2].offset, 0x190u);
  EXPECT_EQ(walk.capabilities[2].id, 0x2eu);
  EXPECT_EQ(walk.capabilities[2].version, 1u);
  EXPECT_TRUE(walk.problems.empty());
}

TEST(ExtCapWalk, ReportsALoopAtTheRevisitedOffset) {
  ConfigBytes c;
  c.put32(0x100, ext_header(0x01, 2, 0x1a8)).put32(0x1a8, ext_header(0x23, 1, 0x100));
  auto walk = walk_extended_capabilities(ConfigSpace(c.bytes()));
  EXPECT_EQ(walk.capabilities.size(), 2u);
  ASSERT_EQ(walk.problems.size(), 1u);
  EXPECT_EQ(walk.problems[0].message(), "capability chain loops at 0x100");
  EXPECT_EQ(walk.problems[0].code(), Errc::kMalformed);
}

TEST(ExtCapWalk, ReportsASelfLoop) {
  ConfigBytes c;
  c.put32(0x100, ext_header(0x01, 1, 0x1a8)).put32(0x1a8, ext_header(0x2e, 1, 0x1a8));
  auto walk = walk_extended_capabilities(ConfigSpace(c.bytes()));
  ASSERT_EQ(walk.problems.size(), 1u);
  EXPECT_EQ(walk.problems[0].message(), "capability chain loops at 0x1a8");
}

TEST(ExtCapWalk, StopsAfter480Headers) {
  ConfigBytes c;
  // 960 headers 4 bytes apart, no loop: only the first 480 may be visited.
  for (unsigned at = 0x100; at < 0x1000; at += 4) c.put32(at, ext_header(0x0b, 1, at + 4 < 0x1000 ? at + 4 : 0));
  auto walk = walk_extended_capabilities(ConfigSpace(c.bytes()));
  EXPECT_EQ(walk.capabilities.size(), 480u);
  ASSERT_EQ(walk.problems.size(), 1u);
  EXPECT_NE(walk.problems[0].message().find("longer than 480"), std::string::npos);
}

TEST(ExtCapWalk, MasksAMisalignedNextPointerAndSaysSo) {
  ConfigBytes c;
  c.put32(0x100, ext_header(0x01, 1, 0x14a)).put32(0x148, ext_header(0x23, 1, 0));
  auto walk = walk_extended_capabilities(ConfigSpace(c.bytes()));
  ASSERT_EQ(walk.capabilities.size(), 2u);
  EXPECT_EQ(walk.capabilities[1].offset, 0x148u);
  ASSERT_EQ(walk.problems.size(), 1u);
  EXPECT_NE(walk.problems[0].message().find("0x14a is not 4-byte aligned"), std::string::npos);
}

TEST(ExtCapWalk, RejectsANextPointerBelow0x100) {
  ConfigBytes c;
  c.put32(0x100, ext_header(0x01, 1, 0x040));
  auto walk = walk_extended_capabilities(ConfigSpace(c.bytes()));
  EXPECT_EQ(walk.capabilities.size(), 1u);
  ASSERT_EQ(walk.problems.size(), 1u);
  EXPECT_NE(walk.problems[0].message().find("below 0x100"), std::string::npos);
}

TEST(ExtCapWalk, AllOnesHeaderIsADeviceGoneProblem) {
  ConfigBytes c;
  c.put32(0x100, ext_header(0x01, 1, 0x200)).put32(0x200, 0xffffffff);
  auto walk = walk_extended_capabilities(ConfigSpace(c.bytes()));
  EXPECT_EQ(walk.capabilities.size(), 1u);
  ASSERT_EQ(walk.problems.size(), 1u);
  EXPECT_EQ(walk.problems[0].code(), Errc::kDeviceGone);
}

TEST(ExtCapWalk, EmptyAndShortConfigSpacesHaveNoExtendedCapabilities) {
  ConfigBytes empty;
  EXPECT_TRUE(walk_extended_capabilities(ConfigSpace(empty.bytes())).capabilities.empty());
  ConfigBytes legacy(256);
  auto walk = walk_extended_capabilities(ConfigSpace(legacy.bytes()));
  EXPECT_TRUE(walk.capabilities.empty());
  EXPECT_TRUE(walk.problems.empty());
}

TEST(CapabilityWalk, FindsTheConventionalList) {
  ConfigBytes c(256);
  c.put16(0x06, 0x0010).put8(0x34, 0x40).put8(0x40, 0x11).put8(0x41, 0x80).put8(0x80, 0x10).put8(0x81, 0x00);
  auto walk = walk_capabilities(ConfigSpace(c.bytes()));
  ASSERT_EQ(walk.capabilities.size(), 2u);
  EXPECT_EQ(walk.capabilities[0].id, 0x11u);
  EXPECT_EQ(walk.capabilities[1].offset, 0x80u);
  EXPECT_TRUE(walk.problems.empty());
}

TEST(CapabilityWalk, ReportsALoopAndAPointerIntoTheHeader) {
  ConfigBytes looped(256);
  looped.put16(0x06, 0x0010).put8(0x34, 0x40).put8(0x40, 0x05).put8(0x41, 0x50).put8(0x50, 0x10).put8(0x51, 0x40);
  auto walk = walk_capabilities(ConfigSpace(looped.bytes()));
  ASSERT_EQ(walk.problems.size(), 1u);
  EXPECT_EQ(walk.problems[0].message(), "capability list loops at 0x40");
  ConfigBytes low(256);
  low.put16(0x06, 0x0010).put8(0x34, 0x20);
  walk = walk_capabilities(ConfigSpace(low.bytes()));
  ASSERT_EQ(walk.problems.size(), 1u);
  EXPECT_NE(walk.problems[0].message().find("inside the standard header"), std::string::npos);
}

}  // namespace
}  // namespace cpmu::detail
