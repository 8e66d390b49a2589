#include "cpmu/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace cpmu {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return Error(Errc::kInvalidArgument, "odd value");
  return x / 2;
}

TEST(Result, CarriesValue) {
  auto r = half(8);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 4);
}

TEST(Result, CarriesErrorWithCodeAndMessage) {
  auto r = half(3);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "odd value");
  EXPECT_EQ(r.value_or(-1), -1);
}

TEST(Result, ContextPrefixesWhere) {
  Error e(Errc::kIo, "read failed");
  EXPECT_EQ(e.context("0000:0d:00.0").message(), "0000:0d:00.0: read failed");
  EXPECT_EQ(e.context("x").code(), Errc::kIo);
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<std::string>> r(std::make_unique<std::string>("mmio"));
  ASSERT_TRUE(r);
  auto owned = std::move(r).value();
  EXPECT_EQ(*owned, "mmio");
}

TEST(Status, DefaultIsSuccessAndErrorIsFailure) {
  Status ok;
  EXPECT_TRUE(ok);
  Status bad = Error(Errc::kTimeout, "DOE busy for 1 s");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), Errc::kTimeout);
  EXPECT_EQ(errc_name(Errc::kTimeout), "timed out");
}

}  // namespace
}  // namespace cpmu
