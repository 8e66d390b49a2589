// Names to (VID, GID, mask) and back, and what one CPMU can count.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpmu/event_term.hpp"
#include "cpmu/events.hpp"
#include "event_printers.hpp"

namespace cpmu {
namespace {

const EventCatalogue& builtin() {
  static const EventCatalogue catalogue = load_event_catalogue(EventSearchPath{}).catalogue;
  return catalogue;
}

TEST(EventCode, ConfigIsThePerfConfigWord) {
  // cxl-facts §3.3: d2h_req_rdshared reads config=0x1e98001000000008.
  EXPECT_EQ((EventCode{0x1e98, 0x10, 0x8}.config()), 0x1e98001000000008u);
  EXPECT_EQ((EventCode{0x1e98, 0x8004, 0x2}.config()), 0x1e98800400000002u);
}

TEST(EventResolution, ResolvesEventAndAggregateNames) {
  EXPECT_EQ(builtin().resolve("d2h_req_rdshared"), (EventCode{0x1e98, 0x10, 0x8}));
  EXPECT_EQ(builtin().resolve("d2h_req_rd_all"), (EventCode{0x1e98, 0x10, 0x3e}));
  EXPECT_FALSE(builtin().resolve("read_bandwidth"));  // a metric, not an event
  EXPECT_FALSE(builtin().resolve("D2H_REQ_RDSHARED"));
  EXPECT_FALSE(builtin().resolve("no_such_event"));
}

TEST(EventResolution, DescribesASingleBitByItsEventName) {
  EXPECT_EQ(builtin().describe({0x1e98, 0x0, 0x1}), "clock_ticks");
  EXPECT_EQ(builtin().describe({0x1e98, 0x8004, 0x2}), "power_throttle_event");
}

TEST(EventResolution, DescribesAMaskByItsAggregateName) {
  EXPECT_EQ(builtin().describe({0x1e98, 0x10, 0x3e}), "d2h_req_rd_all");
  EXPECT_EQ(builtin().describe({0x1e98, 0x21, 0x6}), "m2s_rwd_memwr_all");
  EXPECT_EQ(builtin().describe({0x1b36, 0x1, 0x9}), "cxlsim_errors_all");
}

TEST(EventResolution, DescribesOtherNamedBitsAsASum) {
  EXPECT_EQ(builtin().describe({0x1e98, 0x10, 0x6}), "d2h_req_rdcurr+d2h_req_rdown");
  EXPECT_EQ(builtin().describe({0x1b36, 0x1, 0x5}), "cxlsim_link_crc_errors+cxlsim_thermal_events");
}

TEST(EventResolution, DescribesUnknownBitsRaw) {
  // Bit 0 of D2H Req has no name, so the sum cannot be spelled.
  EXPECT_EQ(builtin().describe({0x1e98, 0x10, 0x3}), "vid=0x1e98,gid=0x10,mask=0x3");
  EXPECT_EQ(builtin().describe({0x1b36, 0x1, 0x10}), "vid=0x1b36,gid=0x1,mask=0x10");
  EXPECT_EQ(builtin().describe({0x8086, 0x42, 0x80000000}), "vid=0x8086,gid=0x42,mask=0x80000000");
  EXPECT_EQ(builtin().describe({0x1e98, 0x10, 0x0}), "vid=0x1e98,gid=0x10,mask=0x0");
}

TEST(EventResolution, EveryDescriptionParsesBackToItsCode) {
  const EventCode codes[] = {{0x1e98, 0x10, 0x3e}, {0x1e98, 0x10, 0x6}, {0x1e98, 0x10, 0x3}, {0x1b36, 0x1, 0x10},
                             {0x1e98, 0x25, 0x7}, {0x1e98, 0x0, 0x1}};
  for (const auto& code : codes) {
    const auto terms = parse_event_terms(builtin().describe(code), builtin());
    ASSERT_TRUE(terms) << terms.error().message();
    ASSERT_EQ(terms->size(), 1u);
    EXPECT_EQ((*terms)[0].code, code);
  }
}

TEST(EventResolution, PrefersTheHigherLevelNameForACode) {
  auto file = [](std::string file_name, std::string name) {
    return EventFileText{std::move(file_name), R"({"schema_version": 1, "events": [{"name": ")" + name +
                                                    R"(", "vid": 1, "gid": 1, "bit": 0, "unit": "events", "description": "d"}]})"};
  };
  const std::vector<EventFileLevel> levels = {{file("a.json", "aaa"), file("b.json", "zzz")}, {file("c.json", "mmm")}};
  const auto load = build_event_catalogue(levels);
  EXPECT_TRUE(load.issues.empty());
  EXPECT_EQ(load.catalogue.describe({1, 1, 1}), "mmm");
  const std::vector<EventFileLevel> one_level = {{file("b.json", "zzz"), file("a.json", "aaa")}};
  EXPECT_EQ(build_event_catalogue(one_level).catalogue.describe({1, 1, 1}), "aaa");
}

TEST(Countability, ConfigurableCountsSubsetsOfACapability) {
  const CpmuEventCapabilities caps{{{0x1e98, 0x10, 0x3e}}, {}};
  EXPECT_TRUE(countability({0x1e98, 0x10, 0x8}, caps).configurable);
  EXPECT_TRUE(countability({0x1e98, 0x10, 0x3e}, caps).configurable);
  EXPECT_FALSE(countability({0x1e98, 0x10, 0x7e}, caps).countable());  // bit 6 not supported
  EXPECT_FALSE(countability({0x1e98, 0x11, 0x2}, caps).countable());   // another group
  EXPECT_FALSE(countability({0x1e98, 0x10, 0x0}, caps).countable());
}

TEST(Countability, FixedCountsOnlyItsExactMask) {
  const CpmuEventCapabilities caps{{}, {{0x1e98, 0x0, 0x1}, {0x1e98, 0x21, 0x6}}};
  EXPECT_TRUE(countability({0x1e98, 0x0, 0x1}, caps).fixed_only());
  EXPECT_TRUE(countability({0x1e98, 0x21, 0x6}, caps).fixed_only());
  EXPECT_FALSE(countability({0x1e98, 0x21, 0x2}, caps).countable());
}

TEST(Countability, ListsWhatACpmuCanCountAndWhatOnlyOnAFixedCounter) {
  // A type 3 memory device: clock ticks on a fixed counter, M2S RwD and S2M DRS configurable.
  const CpmuEventCapabilities caps{{{0x1e98, 0x21, 0x6}, {0x1e98, 0x25, 0x1}}, {{0x1e98, 0x0, 0x1}}};
  const auto countable = builtin().countable(caps);
  std::vector<std::string> events;
  std::vector<std::string> fixed_only;
  for (const auto& [event, how] : countable.events) {
    events.push_back(event->name);
    if (how.fixed_only()) fixed_only.push_back(event->name);
  }
  EXPECT_EQ(events, (std::vector<std::string>{"clock_ticks", "m2s_rwd_memwr", "m2s_rwd_memwrptl",
                                              "m2s_rwd_memwr_all", "s2m_drs_memdata"}));
  EXPECT_EQ(fixed_only, std::vector<std::string>{"clock_ticks"});

  std::vector<std::string> metrics;
  std::vector<std::string> fixed_only_metrics;
  for (const auto& [metric, how] : countable.metrics) {
    metrics.push_back(metric->name);
    if (how.fixed_only()) fixed_only_metrics.push_back(metric->name);
  }
  EXPECT_EQ(metrics, (std::vector<std::string>{"cpmu_clock_rate", "partial_write_ratio", "read_bandwidth",
                                               "read_fraction", "total_bandwidth", "write_bandwidth"}));
  EXPECT_EQ(fixed_only_metrics, std::vector<std::string>{"cpmu_clock_rate"});
}

}  // namespace
}  // namespace cpmu
