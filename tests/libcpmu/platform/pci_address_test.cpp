#include "cpmu/pci_address.hpp"

#include <gtest/gtest.h>

namespace cpmu {
namespace {

TEST(PciAddress, FormatsLikeLspciWithDomain) {
  PciAddress a{0, 0x0d, 0x1f, 7};
  EXPECT_EQ(a.to_string(), "0000:0d:1f.7");
  EXPECT_EQ((PciAddress{0x10, 0xde, 0, 0}).to_string(), "0010:de:00.0");
}

TEST(PciAddress, ParsesWithAndWithoutDomain) {
  auto a = PciAddress::parse("0001:0e:03.2");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->domain, 1);
  EXPECT_EQ(a->bus, 0x0e);
  EXPECT_EQ(a->device, 3);
  EXPECT_EQ(a->function, 2);
  auto b = PciAddress::parse("de:00.0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->domain, 0);
  EXPECT_EQ(b->bus, 0xde);
}

TEST(PciAddress, RejectsMalformedTextWithTheTextInTheMessage) {
  for (const char* bad : {"", "0d:00", "0d:20.0", "0d:00.8", "zz:00.0", "0000:0d:00", "1:2:3:4.0",
                          "00000:0d:00.0", "0d:00.0x"}) {
    auto r = PciAddress::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), Errc::kInvalidArgument);
    EXPECT_NE(r.error().message().find(std::string("'") + bad + "'"), std::string::npos);
  }
}

TEST(PciAddress, OrdersByDomainBusDeviceFunction) {
  EXPECT_LT((PciAddress{0, 1, 0, 0}), (PciAddress{0, 1, 0, 1}));
  EXPECT_LT((PciAddress{0, 1, 31, 7}), (PciAddress{0, 2, 0, 0}));
  EXPECT_LT((PciAddress{0, 0xff, 0, 0}), (PciAddress{1, 0, 0, 0}));
}

}  // namespace
}  // namespace cpmu
