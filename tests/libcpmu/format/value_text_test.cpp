// Units and the number formats of human-readable output (libcpmu/src/format).
#include <gtest/gtest.h>

#include "cpmu/value_text.hpp"

namespace cpmu {
namespace {

TEST(Units, GroupsThousandsWithCommas) {
  EXPECT_EQ(grouped(0), "0");
  EXPECT_EQ(grouped(999), "999");
  EXPECT_EQ(grouped(1000), "1,000");
  EXPECT_EQ(grouped(1234567), "1,234,567");
  EXPECT_EQ(grouped(18446744073709551615ull), "18,446,744,073,709,551,615");
}

TEST(Units, RatesTakeAnSiPrefixAsPerfStatDoes) {
  EXPECT_EQ(per_second(12.0), "12.000  /sec");
  EXPECT_EQ(per_second(12345678.0), "12.346 M/sec");
  EXPECT_EQ(per_second(999.9996e6), "1.000 G/sec");
  EXPECT_EQ(si_scaled(1.5e9, 1), "1.5 G");
}

TEST(Units, PercentSecondsAndCounts) {
  EXPECT_EQ(percent(0.5), "50.00%");
  EXPECT_EQ(percent(1.0), "100.00%");
  EXPECT_EQ(seconds(1'001'234'567), "1.001234567");
  EXPECT_EQ(seconds(5), "0.000000005");
  EXPECT_EQ(count_value(1234.4), "1,234");
  EXPECT_EQ(count_value(1234.5), "1,235");
}

TEST(Units, QuantitiesCarryTheirUnitsSymbol) {
  EXPECT_EQ(quantity(2.5e9, Unit::kBytesPerSecond), "2.500 GB/s");
  EXPECT_EQ(quantity(12.0, Unit::kEvents), "12.000  ");
  EXPECT_EQ(quantity(1.0e8, Unit::kHertz), "100.000 MHz");
  EXPECT_EQ(quantity(0.25, Unit::kRatio), "0.250");
  EXPECT_EQ(quantity(25.0, Unit::kPercent), "25.00%");
}

TEST(Units, EveryUnitHasOneSnakeCaseSpellingThatParsesBack) {
  EXPECT_EQ(unit_name(Unit::kBytesPerSecond), "bytes_per_second");
  EXPECT_EQ(unit_name(Unit::kEvents), "events");
  for (Unit unit : kAllUnits) {
    const std::string_view name = unit_name(unit);
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << name;
    EXPECT_EQ(parse_unit(name), unit) << name;
  }
  EXPECT_EQ(parse_unit("bytes/s"), std::nullopt);
  EXPECT_EQ(parse_unit("Events"), std::nullopt);
  EXPECT_EQ(parse_unit(""), std::nullopt);
}

}  // namespace
}  // namespace cpmu
