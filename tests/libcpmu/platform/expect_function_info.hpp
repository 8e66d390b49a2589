// Field-by-field comparison of two function descriptions, so that a failure
// names the field and the function.
#pragma once

#include <gtest/gtest.h>

#include "cpmu/platform.hpp"

namespace cpmu::testing {

enum class BarSizes { kCompared, kIgnored };   // a dump knows no BAR sizes

inline void expect_same_info(const PciFunctionInfo& got, const PciFunctionInfo& want,
                             BarSizes sizes = BarSizes::kCompared) {
  SCOPED_TRACE(want.address.to_string());
  EXPECT_EQ(got.address, want.address);
  EXPECT_EQ(got.vendor_id, want.vendor_id);
  EXPECT_EQ(got.device_id, want.device_id);
  EXPECT_EQ(got.class_code, want.class_code);
  EXPECT_EQ(got.revision, want.revision);
  EXPECT_EQ(got.header_type, want.header_type);
  ASSERT_EQ(got.bars.size(), want.bars.size());
  for (std::size_t i = 0; i < want.bars.size(); ++i) {
    EXPECT_EQ(got.bars[i].index, want.bars[i].index);
    EXPECT_EQ(got.bars[i].base, want.bars[i].base);
    if (sizes == BarSizes::kCompared) {
      EXPECT_EQ(got.bars[i].size, want.bars[i].size);
    }
    EXPECT_EQ(got.bars[i].io, want.bars[i].io);
    EXPECT_EQ(got.bars[i].is_64bit, want.bars[i].is_64bit);
    EXPECT_EQ(got.bars[i].prefetchable, want.bars[i].prefetchable);
  }
}

}  // namespace cpmu::testing
