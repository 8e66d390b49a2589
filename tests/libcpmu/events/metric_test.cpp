// Metric formulas: parsing, the names they read, evaluation, and the cases
// that have no value.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "cpmu/metric.hpp"

namespace cpmu {
namespace {

Formula parse(std::string_view text) {
  auto formula = Formula::parse(text);
  EXPECT_TRUE(formula) << formula.error().message();
  return formula ? *formula : Formula();
}

Formula::ValueOf counts(std::map<std::string, double, std::less<>> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<double> {
    const auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<double>(it->second);
  };
}

std::string error_of(std::string_view text) {
  auto formula = Formula::parse(text);
  EXPECT_FALSE(formula) << text;
  return formula ? std::string() : formula.error().message();
}

TEST(Formula, ComputesWriteBandwidthFromTwoEvents) {
  const Formula f = parse("(m2s_rwd_memwr + m2s_rwd_memwrptl) * 64 / interval");
  EXPECT_EQ(f.names(), (std::vector<std::string>{"m2s_rwd_memwr", "m2s_rwd_memwrptl"}));
  EXPECT_EQ(f.evaluate(counts({{"m2s_rwd_memwr", 1000}, {"m2s_rwd_memwrptl", 500}}), 0.5), 1500.0 * 64 / 0.5);
}

TEST(Formula, FollowsPrecedenceAndAssociativity) {
  const auto none = counts({});
  EXPECT_EQ(parse("1 + 2 * 3").evaluate(none, 1), 7.0);
  EXPECT_EQ(parse("(1 + 2) * 3").evaluate(none, 1), 9.0);
  EXPECT_EQ(parse("10 - 4 - 3").evaluate(none, 1), 3.0);
  EXPECT_EQ(parse("64 / 4 / 2").evaluate(none, 1), 8.0);
  EXPECT_EQ(parse("-2 * -3").evaluate(none, 1), 6.0);
  EXPECT_EQ(parse("1 - -1").evaluate(none, 1), 2.0);
  EXPECT_EQ(parse("1.5e3 + .5").evaluate(none, 1), 1500.5);
  EXPECT_EQ(parse("interval*2").evaluate(none, 0.25), 0.5);
}

TEST(Formula, ListsEachNameOnceAndNotInterval) {
  const Formula f = parse("(ddr_cas_all - ddr_act) / ddr_cas_all / interval");
  EXPECT_EQ(f.names(), (std::vector<std::string>{"ddr_cas_all", "ddr_act"}));
  EXPECT_EQ(f.text(), "(ddr_cas_all - ddr_act) / ddr_cas_all / interval");
}

TEST(Formula, HasNoValueWhenDividingByZero) {
  EXPECT_FALSE(parse("a / b").evaluate(counts({{"a", 1}, {"b", 0}}), 1));
  EXPECT_FALSE(parse("0 / 0").evaluate(counts({}), 1));
  EXPECT_FALSE(parse("a / interval").evaluate(counts({{"a", 5}}), 0));
}

TEST(Formula, HasNoValueWhenACountIsMissingOrTheResultIsNotFinite) {
  EXPECT_FALSE(parse("a + b").evaluate(counts({{"a", 1}}), 1));
  EXPECT_FALSE(parse("a * a").evaluate(counts({{"a", 1e200}}), 1));
  EXPECT_FALSE(Formula().evaluate(counts({}), 1));
}

TEST(Formula, ErrorsNameTheFormulaAndPosition) {
  EXPECT_EQ(error_of(""), "formula '' at position 1: the formula is empty");
  EXPECT_EQ(error_of("a +"), "formula 'a +' at position 4: expected a number, a name or '(' but the formula ends");
  EXPECT_EQ(error_of("a + * b"), "formula 'a + * b' at position 5: expected a number, a name or '(' but found '*'");
  EXPECT_EQ(error_of("(a + b"), "formula '(a + b' at position 7: missing ')' for the '(' at position 1");
  EXPECT_EQ(error_of("(a b)"), "formula '(a b)' at position 4: expected ')' but found 'b'");
  EXPECT_EQ(error_of("a b"), "formula 'a b' at position 3: unexpected 'b'");
  EXPECT_EQ(error_of("64x"), "formula '64x' at position 1: malformed number");
  EXPECT_EQ(error_of("1e999"), "formula '1e999' at position 1: malformed number");
  EXPECT_EQ(error_of("a % b"), "formula 'a % b' at position 3: unexpected '%'");
  EXPECT_EQ(error_of("mask * 2"), "formula 'mask * 2' at position 1: 'mask' is reserved");
}

TEST(Formula, RefusesNestingBeyondALimitInsteadOfExhaustingTheStack) {
  const std::string deep(100000, '(');
  EXPECT_EQ(error_of(deep), "formula '" + deep + "' at position 65: nested more than 64 levels deep");
  const std::string minus(100000, '-');
  EXPECT_FALSE(Formula::parse(minus + "1"));
  const std::string fine = std::string(60, '(') + "1" + std::string(60, ')');
  EXPECT_EQ(parse(fine).evaluate(counts({}), 1), 1.0);
}

}  // namespace
}  // namespace cpmu
