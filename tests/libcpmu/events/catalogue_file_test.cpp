// Every way one catalogue file can be malformed: each is reported with file,
// line and field, and the other files of the load still count.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpmu/events.hpp"
#include "event_printers.hpp"

namespace cpmu {
namespace {

// A good file loaded beside every bad one.
const EventFileText kGoodFile{"good.json", R"({
  "schema_version": 1,
  "events": [
    {"name": "good_event", "vid": "0x1e98", "gid": "0x10", "bit": 1, "unit": "events", "description": "Fine."}
  ]
})"};

struct BadFile {
  const char* case_name;
  const char* text;
  const char* message;  // the whole error, "bad.json:line: field: problem"
};

class MalformedFile : public testing::TestWithParam<BadFile> {};

TEST_P(MalformedFile, IsReportedWithLineAndFieldWhileOtherFilesLoad) {
  const std::vector<EventFileLevel> levels = {{kGoodFile, {"bad.json", GetParam().text}}};
  const CatalogueLoad load = build_event_catalogue(levels);
  ASSERT_EQ(load.issues.size(), 1u);
  EXPECT_EQ(load.issues[0].message(), GetParam().message);
  EXPECT_EQ(load.issues[0].code(), Errc::kMalformed);
  EXPECT_EQ(load.catalogue.resolve("good_event"), (EventCode{0x1e98, 0x10, 0x2}));
  EXPECT_EQ(load.catalogue.find_event("bad_event"), nullptr);  // a bad file adds nothing
}

INSTANTIATE_TEST_SUITE_P(
    EveryErrorPath, MalformedFile,
    testing::Values(
        BadFile{
            "SyntaxError", "{\n  \"schema_version\": 1,\n  \"events\": [,]\n}",
            "bad.json:3:14: JSON syntax error: syntax error while parsing value - unexpected ','; expected '[', '{', "
            "or a literal"},
        BadFile{"Empty", "",
                "bad.json:1:1: JSON syntax error: syntax error while parsing value - unexpected end of input; "
                "expected '[', '{', or a literal"},
        BadFile{"NumberTooBigForADouble", "{\"schema_version\": 1,\n \"events\": [1e400]}",
                "bad.json:2:13: JSON syntax error: number overflow parsing '1e400'"},
        BadFile{"TopLevelNotObject", "[1]", "bad.json:1: (top level): expected an object, found array"},
        BadFile{"MissingSchemaVersion", "{\n  \"events\": []\n}",
                "bad.json:1: (top level): missing required key 'schema_version'"},
        BadFile{"WrongSchemaVersion", "{\n  \"schema_version\": 2\n}",
                "bad.json:2: /schema_version: unsupported schema_version 2 (this cpmu reads version 1)"},
        BadFile{"UnknownTopLevelKey", "{\n  \"schema_version\": 1,\n  \"event\": []\n}",
                "bad.json:3: /event: unknown key 'event' (expected one of: schema_version, description, groups, "
                "events, aggregates, metrics)"},
        BadFile{"SectionNotArray", "{\"schema_version\": 1,\n \"events\": {}}",
                "bad.json:2: /events: expected an array, found object"},
        BadFile{"WrongType",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 7838, \"gid\": 16, \"bit\": \"3\", \"unit\": \"events\", "
                "\"description\": \"d\"}\n]}",
                "bad.json:2: /events/0/bit: expected an integer, found string"},
        BadFile{"UnknownEventKey",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1, \"bit\": 3, \"unit\": \"events\", "
                "\"description\": \"d\",\n"
                "   \"colour\": \"red\"}\n]}",
                "bad.json:3: /events/0/colour: unknown key 'colour' (expected one of: name, vid, gid, bit, unit, "
                "kernel_since, description)"},
        BadFile{"MissingEventKey",
                "{\"schema_version\": 1, \"events\": [\n  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1, \"bit\": "
                "3}\n]}",
                "bad.json:2: /events/0: missing required key 'unit'"},
        BadFile{"DuplicateName",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1, \"bit\": 3, \"unit\": \"events\", "
                "\"description\": \"d\"},\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1, \"bit\": 4, \"unit\": \"events\", "
                "\"description\": \"d\"}\n]}",
                "bad.json:3: /events/1/name: duplicate name 'bad_event' (first defined at line 2)"},
        BadFile{"DuplicateNameAcrossSections",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1, \"bit\": 3, \"unit\": \"events\", "
                "\"description\": \"d\"}],\n"
                " \"metrics\": [\n"
                "  {\"name\": \"bad_event\", \"formula\": \"1\", \"unit\": \"events\", \"description\": \"d\"}\n]}",
                "bad.json:4: /metrics/0/name: duplicate name 'bad_event' (first defined at line 2)"},
        BadFile{"DuplicateBit",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1, \"bit\": 3, \"unit\": \"events\", "
                "\"description\": \"d\"},\n"
                "  {\"name\": \"bad_twin\", \"vid\": \"0x1\", \"gid\": 1, \"bit\": 3, \"unit\": \"events\", "
                "\"description\": \"d\"}\n]}",
                "bad.json:3: /events/1/bit: bit 3 of vid=0x1,gid=0x1 is already named 'bad_event' at line 2"},
        BadFile{"BitOutOfRange",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1,\n   \"bit\": 32, \"unit\": \"events\", "
                "\"description\": \"d\"}\n]}",
                "bad.json:3: /events/0/bit: 32 is out of range 0..31"},
        BadFile{"NegativeBit",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1, \"bit\": -1, \"unit\": \"events\", "
                "\"description\": \"d\"}\n]}",
                "bad.json:2: /events/0/bit: -1 is negative"},
        BadFile{"VidTooBig",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 65536, \"gid\": 1, \"bit\": 1, \"unit\": \"events\", "
                "\"description\": \"d\"}\n]}",
                "bad.json:2: /events/0/vid: 65536 is out of range 0..65535"},
        BadFile{"GidNotHex",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": \"16\", \"bit\": 1, \"unit\": \"events\", "
                "\"description\": \"d\"}\n]}",
                "bad.json:2: /events/0/gid: '16' is not a hexadecimal number like \"0x1e98\""},
        BadFile{"EmptyDescription",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1, \"bit\": 1, \"unit\": \"events\", "
                "\"description\": \"\"}\n]}",
                "bad.json:2: /events/0/description: must not be empty"},
        BadFile{
            "InvalidName",
            "{\"schema_version\": 1, \"events\": [\n"
            "  {\"name\": \"bad-event\", \"vid\": 1, \"gid\": 1, \"bit\": 1, \"unit\": \"events\", \"description\": "
            "\"d\"}\n]}",
            "bad.json:2: /events/0/name: invalid name 'bad-event': a name may contain only letters, digits and '_'"},
        BadFile{"ReservedName",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"mask\", \"vid\": 1, \"gid\": 1, \"bit\": 1, \"unit\": \"events\", \"description\": "
                "\"d\"}\n]}",
                "bad.json:2: /events/0/name: invalid name 'mask': 'mask' is reserved"},
        BadFile{"DuplicateKey",
                "{\"schema_version\": 1, \"events\": [\n"
                "  {\"name\": \"bad_event\", \"vid\": 1, \"gid\": 1, \"bit\": 1,\n"
                "   \"bit\": 2, \"unit\": \"events\", \"description\": \"d\"}\n]}",
                "bad.json:3: /events/0/bit: the same key appears twice in one object"},
        BadFile{"AggregateOfOne",
                "{\"schema_version\": 1, \"aggregates\": [\n"
                "  {\"name\": \"bad_event\", \"events\": [\"good_event\"], \"unit\": \"events\", \"description\": "
                "\"d\"}\n]}",
                "bad.json:2: /aggregates/0/events: an aggregate needs at least 2 events"},
        BadFile{"AggregateMemberTwice",
                "{\"schema_version\": 1, \"aggregates\": [\n"
                "  {\"name\": \"bad_event\", \"events\": [\"good_event\",\n   \"good_event\"], \"unit\": \"events\", "
                "\"description\": \"d\"}\n]}",
                "bad.json:3: /aggregates/0/events/1: 'good_event' is listed twice"},
        BadFile{"FormulaSyntax",
                "{\"schema_version\": 1, \"metrics\": [\n"
                "  {\"name\": \"bad_event\", \"unit\": \"events\", \"description\": \"d\",\n"
                "   \"formula\": \"good_event * (2\"}\n]}",
                "bad.json:3: /metrics/0/formula: formula 'good_event * (2' at position 16: missing ')' for the '(' at "
                "position 14"},
        BadFile{
            "UnknownUnit",
            "{\"schema_version\": 1, \"metrics\": [\n"
            "  {\"name\": \"bad_metric\", \"formula\": \"1\",\n   \"unit\": \"bytes/s\", \"description\": \"d\"}\n]}",
            "bad.json:3: /metrics/0/unit: unknown unit 'bytes/s' (expected one of: events, cycles, entries, bytes, "
            "bytes_per_second, events_per_second, hertz, ratio, percent, nanoseconds)"},
        BadFile{"GroupDescribedTwice",
                "{\"schema_version\": 1, \"groups\": [\n"
                "  {\"vid\": 1, \"gid\": 2, \"name\": \"one\"},\n  {\"vid\": 1, \"gid\": 2, \"name\": \"two\"}\n]}",
                "bad.json:3: /groups/1/gid: group vid=0x1,gid=0x2 is already described at line 2"}),
    [](const testing::TestParamInfo<BadFile>& param) { return param.param.case_name; });

TEST(CatalogueFile, AcceptsIdsAsIntegersOrHexStrings) {
  const std::vector<EventFileLevel> levels = {{{"ids.json", R"({"schema_version": 1, "events": [
    {"name": "a", "vid": 7832, "gid": "0X1F", "bit": 31, "unit": "events", "description": "d"}]})"}}};
  const CatalogueLoad load = build_event_catalogue(levels);
  ASSERT_TRUE(load.issues.empty()) << load.issues[0].message();
  EXPECT_EQ(load.catalogue.resolve("a"), (EventCode{0x1e98, 0x1f, 0x80000000}));
}

}  // namespace
}  // namespace cpmu
