// Parsing event terms: catalogue names, sums, raw fields, perf-style
// pmu/terms/, modifiers, and errors that point at the offending character.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpmu/event_term.hpp"
#include "event_printers.hpp"

namespace cpmu {
namespace {

const EventCatalogue& builtin() {
  static const EventCatalogue catalogue = load_event_catalogue(EventSearchPath{}).catalogue;
  return catalogue;
}

std::vector<EventTerm> parse(std::string_view text) {
  auto terms = parse_event_terms(text, builtin());
  EXPECT_TRUE(terms) << terms.error().message();
  return terms ? *terms : std::vector<EventTerm>{};
}

std::string error_of(std::string_view text) {
  auto terms = parse_event_terms(text, builtin());
  EXPECT_FALSE(terms) << text;
  return terms ? std::string() : terms.error().message();
}

TEST(EventTerm, NamesACatalogueEventOrAggregate) {
  const auto terms = parse("d2h_req_rdshared,d2h_req_rd_all");
  ASSERT_EQ(terms.size(), 2u);
  EXPECT_EQ(terms[0].name, "d2h_req_rdshared");
  EXPECT_EQ(terms[0].code, (EventCode{0x1e98, 0x10, 0x8}));
  EXPECT_EQ(terms[1].code, (EventCode{0x1e98, 0x10, 0x3e}));
  EXPECT_TRUE(terms[0].pmu.empty());
  EXPECT_EQ(terms[0].threshold, 0);
  EXPECT_FALSE(terms[0].edge || terms[0].invert || terms[0].hdm);
}

TEST(EventTerm, SumsNamesOfOneGroup) {
  const auto terms = parse("m2s_rwd_memwr+m2s_rwd_memwrptl");
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms[0].code, (EventCode{0x1e98, 0x21, 0x6}));
  EXPECT_EQ(terms[0].name, "m2s_rwd_memwr+m2s_rwd_memwrptl");
}

TEST(EventTerm, ReadsRawFieldsInDecimalOrHex) {
  const auto terms = parse("vid=0x1e98,gid=16,mask=0x3E");
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms[0].code, (EventCode{0x1e98, 0x10, 0x3e}));
  EXPECT_TRUE(terms[0].name.empty());
  EXPECT_EQ(terms[0].text, "vid=0x1e98,gid=16,mask=0x3E");
}

TEST(EventTerm, ARepeatedFieldStartsTheNextRawEvent) {
  const auto terms = parse("vid=0x1b36,gid=1,mask=1,threshold=2,vid=0x1b36,gid=1,mask=8,clock_ticks");
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0].code, (EventCode{0x1b36, 0x1, 0x1}));
  EXPECT_EQ(terms[0].threshold, 2);
  EXPECT_EQ(terms[1].code, (EventCode{0x1b36, 0x1, 0x8}));
  EXPECT_EQ(terms[1].threshold, 0);
  EXPECT_EQ(terms[1].text, "vid=0x1b36,gid=1,mask=8");
  EXPECT_EQ(terms[2].name, "clock_ticks");
}

TEST(EventTerm, ModifiersAfterANameApplyToIt) {
  const auto terms = parse("m2s_req_memrd,threshold=1,edge,invert=1,hdm=3,clock_ticks");
  ASSERT_EQ(terms.size(), 2u);
  EXPECT_EQ(terms[0].code, (EventCode{0x1e98, 0x20, 0x2}));
  EXPECT_EQ(terms[0].threshold, 1);
  EXPECT_TRUE(terms[0].edge);
  EXPECT_TRUE(terms[0].invert);
  EXPECT_EQ(terms[0].hdm, 3);
  EXPECT_EQ(terms[0].text, "m2s_req_memrd,threshold=1,edge,invert=1,hdm=3");
  EXPECT_EQ(terms[1].name, "clock_ticks");
}

TEST(EventTerm, ReadsPerfStyleTermsWithCommasInsideSlashes) {
  const auto terms = parse("cxl_pmu_mem0.0/vid=0x1e98,gid=0x10,mask=0x2/,cxl_pmu_mem0.0/clock_ticks/,"
                           "cxl_pmu_mem1.2/m2s_req_memrd,hdm_filter_en=1/");
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0].pmu, "cxl_pmu_mem0.0");
  EXPECT_EQ(terms[0].code, (EventCode{0x1e98, 0x10, 0x2}));
  EXPECT_EQ(terms[0].text, "cxl_pmu_mem0.0/vid=0x1e98,gid=0x10,mask=0x2/");
  EXPECT_EQ(terms[1].pmu, "cxl_pmu_mem0.0");
  EXPECT_EQ(terms[1].code, (EventCode{0x1e98, 0x0, 0x1}));
  EXPECT_EQ(terms[2].pmu, "cxl_pmu_mem1.2");
  EXPECT_EQ(terms[2].hdm, 0);  // the filter on, decoder 0, as perf does
}

TEST(EventTerm, HdmFilterEnableZeroTurnsTheFilterOff) {
  EXPECT_FALSE(parse("p/clock_ticks,hdm=2,hdm_filter_en=0/")[0].hdm);
  EXPECT_EQ(parse("p/clock_ticks,hdm=2/")[0].hdm, 2);
}

TEST(EventTerm, ToleratesSpacesAroundTerms) {
  const auto terms = parse(" clock_ticks , d2h_req_rdcurr ");
  ASSERT_EQ(terms.size(), 2u);
  EXPECT_EQ(terms[1].text, "d2h_req_rdcurr");
}

TEST(EventTerm, EncodesPerfConfigWords) {
  const auto term = parse("cxl_pmu_mem0.0/vid=0x1e98,gid=0x20,mask=0x2,threshold=5,invert,edge,hdm=7/")[0];
  const PerfEventConfig config = perf_event_config(term);
  EXPECT_EQ(config.config, 0x1e98002000000002u);
  EXPECT_EQ(config.config1, 5u | 1u << 16 | 1u << 17 | 1u << 18);
  EXPECT_EQ(config.config2, 7u);
  EXPECT_EQ(perf_event_config(parse("clock_ticks")[0]).config1, 0u);
}

TEST(EventTerm, ErrorsNameTheTermAndPosition) {
  EXPECT_EQ(error_of("clock_ticks,nope"), "event term 'nope' at position 13: unknown event 'nope'");
  EXPECT_EQ(error_of("read_bandwidth"), "event term 'read_bandwidth' at position 1: 'read_bandwidth' is a metric, not an event");
  EXPECT_EQ(error_of("clock_ticks,,d2h_req_rdcurr"), "event term '' at position 13: empty term");
  EXPECT_EQ(error_of("clock_ticks,"), "event term '' at position 13: empty term");
  EXPECT_EQ(error_of("vid=0x1e98,gid=0x10"),
            "event term 'vid=0x1e98,gid=0x10' at position 1: missing 'mask' (an event needs a name, or vid, gid and "
            "mask)");
  EXPECT_EQ(error_of("vid=1,gid=0x1g,mask=1"), "event term 'gid=0x1g' at position 11: '0x1g' is not a number");
  EXPECT_EQ(error_of("vid=1,gid=0x10000,mask=1"),
            "event term 'gid=0x10000' at position 11: 0x10000 is too big for 'gid' (at most 0xffff)");
  EXPECT_EQ(error_of("clock_ticks,threshold=256"),
            "event term 'threshold=256' at position 23: 256 is too big for 'threshold' (at most 0xff)");
  EXPECT_EQ(error_of("vid=1,gid=1,mask=0"), "event term 'vid=1,gid=1,mask=0' at position 1: mask 0 selects no event");
  EXPECT_EQ(error_of("vid=1,colour=2"),
            "event term 'colour=2' at position 7: unknown field 'colour' (fields: vid, gid, mask, threshold, edge, "
            "invert, hdm, hdm_filter_en)");
  EXPECT_EQ(error_of("gid"), "event term 'gid' at position 1: 'gid' needs a value");
  EXPECT_EQ(error_of("d2h_req_rdcurr+"), "event term 'd2h_req_rdcurr+' at position 16: expected an event name");
  EXPECT_EQ(error_of("d2h_req_rdcurr+clock_ticks"),
            "event term 'd2h_req_rdcurr+clock_ticks' at position 16: 'clock_ticks' is in another event group than the "
            "events before it");
  EXPECT_EQ(error_of("d2h_req_rd_all+d2h_req_rdcurr"),
            "event term 'd2h_req_rd_all+d2h_req_rdcurr' at position 16: 'd2h_req_rdcurr' counts a bit already selected");
  EXPECT_EQ(error_of("bad name"), "event term 'bad name' at position 1: 'bad name' is not an event name: a name may "
                                  "contain only letters, digits and '_'");
}

TEST(EventTerm, PerfStyleErrorsPointInsideTheSlashes) {
  EXPECT_EQ(error_of("cxl_pmu_mem0.0/vid=1,gid=1"),
            "event term 'cxl_pmu_mem0.0/vid=1,gid=1' at position 15: missing the closing '/' of this '/'");
  EXPECT_EQ(error_of("clock_ticks,/clock_ticks/"), "event term '/clock_ticks/' at position 13: a PMU name must come before '/'");
  EXPECT_EQ(error_of("cxl pmu/clock_ticks/"), "event term 'cxl pmu/clock_ticks/' at position 4: ' ' cannot be part of a PMU name");
  EXPECT_EQ(error_of("p/clock_ticks/x"), "event term 'p/clock_ticks/x' at position 15: unexpected text after the closing '/'");
  EXPECT_EQ(error_of("p/clock_ticks,,edge/"), "event term 'p/clock_ticks,,edge/' at position 15: empty term between '/' and '/'");
  EXPECT_EQ(error_of("p/clock_ticks,mask=1/"),
            "event term 'p/clock_ticks,mask=1/' at position 15: 'mask' cannot be combined with event 'clock_ticks'");
  EXPECT_EQ(error_of("p/mask=1,clock_ticks/"),
            "event term 'p/mask=1,clock_ticks/' at position 10: an event name cannot be combined with 'mask'");
  EXPECT_EQ(error_of("p/clock_ticks,d2h_req_rdcurr/"),
            "event term 'p/clock_ticks,d2h_req_rdcurr/' at position 15: a second event name 'd2h_req_rdcurr'");
  EXPECT_EQ(error_of("p/vid=1,gid=1,mask=1,gid=2/"), "event term 'p/vid=1,gid=1,mask=1,gid=2/' at position 22: 'gid' is given twice");
  EXPECT_EQ(error_of("p/edge/"), "event term 'p/edge/' at position 1: missing 'vid' (an event needs a name, or vid, gid and mask)");
}

}  // namespace
}  // namespace cpmu
