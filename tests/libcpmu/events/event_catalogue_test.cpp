// Merging catalogue files: precedence between levels, conflicts within a
// level, and aggregates and metrics linked to events of any file.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpmu/events.hpp"
#include "event_printers.hpp"

namespace cpmu {
namespace {

// A file of single-bit events in group vid=0x1e98,gid=0x10, one per line
// from line 3 on.
EventFileText events_file(std::string name, std::vector<std::pair<std::string, unsigned>> events,
                          std::string extra = {}) {
  std::string text = "{\"schema_version\": 1,\n \"events\": [";
  for (std::size_t i = 0; i < events.size(); ++i) {
    text += fmt::format(
        "{}\n  {{\"name\": \"{}\", \"vid\": \"0x1e98\", \"gid\": \"0x10\", \"bit\": {}, \"unit\": \"events\", "
        "\"description\": \"d\"}}",
        i ? "," : "", events[i].first, events[i].second);
  }
  text += "]" + extra + "}";
  return {std::move(name), std::move(text)};
}

CatalogueLoad build(std::vector<EventFileLevel> levels) { return build_event_catalogue(levels); }

std::vector<std::string> messages(const CatalogueLoad& load) {
  std::vector<std::string> out;
  for (const auto& issue : load.issues) out.push_back(issue.message());
  return out;
}

TEST(EventCatalogue, LaterLevelReplacesAnEarlierDefinition) {
  const auto load = build({{events_file("low.json", {{"x", 0}})}, {events_file("high.json", {{"x", 5}})}});
  EXPECT_TRUE(load.issues.empty());
  EXPECT_EQ(load.catalogue.resolve("x"), (EventCode{0x1e98, 0x10, 0x20}));
  EXPECT_EQ(load.catalogue.find_event("x")->source.file, "high.json");
}

TEST(EventCatalogue, ConflictWithinALevelRejectsTheLaterFileWhole) {
  const auto load = build({{events_file("b.json", {{"z", 3}, {"x", 1}}), events_file("a.json", {{"x", 0}, {"y", 2}}),
                            events_file("c.json", {{"w", 4}})}});
  ASSERT_EQ(messages(load),
            std::vector<std::string>{"b.json:4: /events/1/name: 'x' is defined differently at a.json:3"});
  EXPECT_EQ(load.catalogue.resolve("x"), (EventCode{0x1e98, 0x10, 0x1}));
  EXPECT_TRUE(load.catalogue.resolve("y"));
  EXPECT_FALSE(load.catalogue.resolve("z"));
  EXPECT_TRUE(load.catalogue.resolve("w"));
}

TEST(EventCatalogue, IdenticalDefinitionsInOneLevelAreNoConflict) {
  const auto load = build({{events_file("a.json", {{"x", 0}}), events_file("b.json", {{"x", 0}, {"y", 1}})}});
  EXPECT_TRUE(load.issues.empty());
  EXPECT_EQ(load.catalogue.find_event("x")->source.file, "a.json");
  EXPECT_TRUE(load.catalogue.resolve("y"));
}

TEST(EventCatalogue, EventAndMetricOfOneNameInOneLevelConflict) {
  const auto load = build({{events_file("a.json", {{"x", 0}}),
                            {"b.json", R"({"schema_version": 1, "metrics": [
  {"name": "x", "formula": "1", "unit": "events", "description": "d"}]})"}}});
  EXPECT_EQ(messages(load), std::vector<std::string>{"b.json:2: /metrics/0/name: 'x' is defined differently at a.json:3"});
  EXPECT_NE(load.catalogue.find_event("x"), nullptr);
  EXPECT_EQ(load.catalogue.find_metric("x"), nullptr);
}

TEST(EventCatalogue, AggregatesMayUseEventsOfOtherFiles) {
  const auto load = build({{events_file("events.json", {{"a", 1}, {"b", 3}})},
                           {{"sum.json", R"({"schema_version": 1, "aggregates": [
  {"name": "a_and_b", "events": ["a", "b"], "unit": "events", "description": "d"}]})"}}});
  EXPECT_TRUE(load.issues.empty());
  const EventInfo* sum = load.catalogue.find_event("a_and_b");
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(sum->kind, EventKind::kAggregate);
  EXPECT_EQ(sum->code, (EventCode{0x1e98, 0x10, 0xa}));
  EXPECT_EQ(sum->members, (std::vector<std::string>{"a", "b"}));
}

TEST(EventCatalogue, AggregateWithAnUnknownMemberIsDroppedAlone) {
  const auto load = build({{events_file("f.json", {{"a", 1}},
                                        R"(, "aggregates": [
  {"name": "broken", "events": ["a",
     "nope"], "unit": "events", "description": "d"}])")}});
  EXPECT_EQ(messages(load), std::vector<std::string>{"f.json:5: /aggregates/0/events/1: unknown event 'nope'"});
  EXPECT_FALSE(load.catalogue.resolve("broken"));
  EXPECT_TRUE(load.catalogue.resolve("a"));
}

TEST(EventCatalogue, AggregateSpanningTwoGroupsIsDropped) {
  const auto load = build({{events_file("f.json", {{"a", 1}},
                                        R"(, "aggregates": [
  {"name": "broken", "events": ["a", "clock"], "unit": "events", "description": "d"}])"),
                            {"g.json", R"({"schema_version": 1, "events": [
  {"name": "clock", "vid": "0x1e98", "gid": "0x0", "bit": 0, "unit": "events", "description": "d"}]})"}}});
  EXPECT_EQ(messages(load), std::vector<std::string>{"f.json:4: /aggregates/0/events/1: 'clock' is in group "
                                                     "vid=0x1e98,gid=0x0, not vid=0x1e98,gid=0x10 like 'a'"});
}

TEST(EventCatalogue, AggregateOfAnAggregateIsDropped) {
  const auto load = build({{events_file("f.json", {{"a", 1}, {"b", 2}, {"c", 3}},
                                        R"(, "aggregates": [
  {"name": "ab", "events": ["a", "b"], "unit": "events", "description": "d"},
  {"name": "abc", "events": ["ab", "c"], "unit": "events", "description": "d"}])")}});
  EXPECT_EQ(messages(load), std::vector<std::string>{
                                "f.json:7: /aggregates/1/events/0: 'ab' is an aggregate; an aggregate sums events"});
  EXPECT_TRUE(load.catalogue.resolve("ab"));
}

TEST(EventCatalogue, MetricWithAnUnknownNameIsDroppedAlone) {
  const auto load = build({{events_file("f.json", {{"a", 1}},
                                        R"(, "metrics": [
  {"name": "good", "formula": "a / interval", "unit": "events", "description": "d"},
  {"name": "bad", "unit": "events", "description": "d",
   "formula": "a / nope"},
  {"name": "worse", "formula": "good * 2", "unit": "events", "description": "d"}])")}});
  EXPECT_EQ(messages(load), (std::vector<std::string>{
                                "f.json:6: /metrics/1/formula: unknown event 'nope'",
                                "f.json:7: /metrics/2/formula: 'good' is a metric; formulas use events and aggregates"}));
  EXPECT_NE(load.catalogue.find_metric("good"), nullptr);
  EXPECT_EQ(load.catalogue.find_metric("bad"), nullptr);
  EXPECT_EQ(load.catalogue.find_metric("worse"), nullptr);
}

TEST(EventCatalogue, HigherLevelGroupDescriptionWins) {
  auto group = [](std::string file, std::string title) {
    return EventFileText{std::move(file), R"({"schema_version": 1, "groups": [{"vid": 1, "gid": 2, "name": ")" + title +
                                               R"("}]})"};
  };
  const auto load = build({{group("a.json", "low")}, {group("b.json", "high")}});
  ASSERT_NE(load.catalogue.find_group(1, 2), nullptr);
  EXPECT_EQ(load.catalogue.find_group(1, 2)->name, "high");
  const auto clash = build({{group("a.json", "one"), group("b.json", "two")}});
  EXPECT_EQ(messages(clash),
            std::vector<std::string>{"b.json:1: /groups/0/gid: group vid=0x1,gid=0x2 is described differently at a.json:1"});
}

TEST(EventCatalogue, ListsEventsByGroupThenBitThenAggregates) {
  const auto load = build({{events_file("f.json", {{"late", 7}, {"early", 2}},
                                        R"(, "aggregates": [
  {"name": "both", "events": ["late", "early"], "unit": "events", "description": "d"}])")}});
  std::vector<std::string> names;
  for (const auto& e : load.catalogue.events()) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"early", "late", "both"}));
}

}  // namespace
}  // namespace cpmu
