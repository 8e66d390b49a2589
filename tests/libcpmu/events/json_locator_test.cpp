// Line numbers for JSON pointers, which catalogue errors rely on.
#include <gtest/gtest.h>

#include "events/json_locator.hpp"

namespace cpmu::detail {
namespace {

constexpr std::string_view kDoc = R"({
  "a": [
    {"name": "x",
     "bit": 1},
    [true, null,
     2.5e3]
  ],
  "b/c~d": {"\u00e9\"": "v"}
})";

TEST(JsonLocator, FindsTheLineOfKeysAndArrayElements) {
  const JsonLocator locator(kDoc);
  EXPECT_EQ(locator.line_of(""), 1u);
  EXPECT_EQ(locator.line_of("/a"), 2u);
  EXPECT_EQ(locator.line_of("/a/0"), 3u);
  EXPECT_EQ(locator.line_of("/a/0/name"), 3u);
  EXPECT_EQ(locator.line_of("/a/0/bit"), 4u);
  EXPECT_EQ(locator.line_of("/a/1"), 5u);
  EXPECT_EQ(locator.line_of("/a/1/1"), 5u);
  EXPECT_EQ(locator.line_of("/a/1/2"), 6u);
  EXPECT_FALSE(locator.duplicate_key());
}

TEST(JsonLocator, EscapesKeysAsJsonPointerTokens) {
  const JsonLocator locator(kDoc);
  EXPECT_EQ(json_pointer_token("b/c~d"), "b~1c~0d");
  EXPECT_EQ(locator.line_of("/b~1c~0d"), 8u);
  EXPECT_EQ(locator.line_of("/b~1c~0d/\xc3\xa9\""), 8u);
}

TEST(JsonLocator, FallsBackToTheNearestKnownAncestor) {
  const JsonLocator locator(kDoc);
  EXPECT_EQ(locator.line_of("/a/0/missing"), 3u);
  EXPECT_EQ(locator.line_of("/nowhere/at/all"), 1u);
}

TEST(JsonLocator, ReportsTheFirstRepeatedKey) {
  const JsonLocator locator("{\"a\": {\"k\": 1,\n \"k\": 2}, \"b\": 1, \"b\": 2}");
  ASSERT_TRUE(locator.duplicate_key());
  EXPECT_EQ(locator.duplicate_key()->pointer, "/a/k");
  EXPECT_EQ(locator.duplicate_key()->line, 2u);
  EXPECT_EQ(locator.line_of("/a/k"), 1u);  // the first occurrence
}

TEST(JsonLocator, PositionAtCountsLinesAndColumnsFromOne) {
  EXPECT_EQ(position_at("ab\ncd", 0).line, 1u);
  EXPECT_EQ(position_at("ab\ncd", 4).line, 2u);
  EXPECT_EQ(position_at("ab\ncd", 4).column, 2u);
  EXPECT_EQ(position_at("ab", 99).column, 3u);
}

}  // namespace
}  // namespace cpmu::detail
