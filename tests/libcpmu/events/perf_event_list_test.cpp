// perf's event-list syntax: groups and modifiers around event terms.
#include "cpmu/perf_event_list.hpp"

#include <gtest/gtest.h>

#include <map>

namespace cpmu {
namespace {

std::string trimmed(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

TEST(PerfEventList, GroupsAndTheTermsAroundThemKeepTheirPositions) {
  const std::string text = "clock_ticks, {a/x/,b/y/} ,c,{d}";
  auto parts = split_perf_event_list(text);
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 4u);
  EXPECT_EQ(trimmed((*parts)[0].text), "clock_ticks");
  EXPECT_FALSE((*parts)[0].group);
  EXPECT_EQ(trimmed((*parts)[1].text), "a/x/,b/y/");
  EXPECT_EQ((*parts)[1].group, 0u);
  EXPECT_EQ((*parts)[1].text.find("a/x/"), text.find("a/x/"));
  EXPECT_EQ(trimmed((*parts)[2].text), "c");
  EXPECT_EQ(trimmed((*parts)[3].text), "d");
  EXPECT_EQ((*parts)[3].group, 1u);
  for (const auto& p : *parts) EXPECT_EQ(p.text.size(), text.size());
  auto plain = split_perf_event_list("vid=0x1e98,gid=0x10,mask=0x2");
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->size(), 1u);
  EXPECT_EQ((*plain)[0].text, "vid=0x1e98,gid=0x10,mask=0x2");
}

TEST(PerfEventList, BadGroupsAndModifiersNameThePosition) {
  const std::map<std::string, std::string> bad = {
      {"{a,{b}}", "position 4: '{' inside a group"},
      {"a}", "position 2: '}' without a '{'"},
      {"{a", "position 1: '{' is never closed"},
      {"{ }", "position 1: an empty group"},
      {"{a}b", "position 4: expected ',' after a group's '}'"},
      {"a{b}", "position 2: '{' must follow a ','"},
      {"cxl_pmu_mem0.0/clock_ticks/:u", "position 29: modifier 'u': CPMU events are device events counted system-wide"},
      {"{a/b/}:S", "position 8: modifier 'S': cxl_pmu cannot sample"},
      {"a/b/:", "position 5: ':' with no modifier"},
  };
  for (const auto& [text, message] : bad) {
    auto parts = split_perf_event_list(text);
    ASSERT_FALSE(parts) << text;
    EXPECT_NE(parts.error().message().find(message), std::string::npos) << text << ": " << parts.error().message();
  }
}

}  // namespace
}  // namespace cpmu
