#include "cpmu/slot_filter.hpp"

#include <gtest/gtest.h>

namespace cpmu {
namespace {

PciAddress at(const char* text) { return *PciAddress::parse(text); }

TEST(SlotFilter, EachPartIsOptionalLikeLspci) {
  auto full = SlotFilter::parse("0001:0d:1f.7");
  ASSERT_TRUE(full);
  EXPECT_TRUE(full->matches(at("0001:0d:1f.7")));
  EXPECT_FALSE(full->matches(at("0000:0d:1f.7")));
  auto bus = SlotFilter::parse("0d:");
  ASSERT_TRUE(bus);
  EXPECT_TRUE(bus->matches(at("0d:03.1")));
  EXPECT_FALSE(bus->matches(at("0e:03.1")));
  auto slot = SlotFilter::parse("3");
  ASSERT_TRUE(slot);
  EXPECT_TRUE(slot->matches(at("0e:03.1")));
  EXPECT_FALSE(slot->matches(at("0e:04.1")));
  auto function = SlotFilter::parse(".1");
  ASSERT_TRUE(function);
  EXPECT_TRUE(function->matches(at("0e:04.1")));
  EXPECT_FALSE(function->matches(at("0e:04.0")));
  auto everything = SlotFilter::parse("");
  ASSERT_TRUE(everything);
  EXPECT_TRUE(everything->matches(at("ff:1f.7")));
}

TEST(SlotFilter, RejectsBadNumbersNamingThePart) {
  for (const char* bad : {"0d:20", "0d:1f.8", "1:2:3:4", "zz:", "10000:0:0.0"}) {
    auto r = SlotFilter::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), Errc::kInvalidArgument);
    EXPECT_NE(r.error().message().find(bad), std::string::npos);
  }
}

}  // namespace
}  // namespace cpmu
