// cpmu stat's aggregation (stat_aggregation.hpp) on hand-made snapshots:
// what a merged, per-CPMU and per-device line sums, and how.
#include "stat_aggregation.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

namespace cpmu::cli {
namespace {

std::shared_ptr<const SourceIdentity> source(const char* name, ComponentKind kind) {
  auto identity = std::make_shared<SourceIdentity>();
  identity->name = *CpmuName::parse(name);
  identity->kind = kind;
  return identity;
}

SeriesValue series(std::size_t source, std::uint64_t raw, std::uint64_t enabled, std::uint64_t running,
                   Placement placement = Placement::kConfigurable) {
  auto info = std::make_shared<SeriesInfo>();
  info->source = source;
  info->label = "m2s_req_memrd";
  info->placement = placement;
  if (placement == Placement::kNotSupported) info->placement_reason = fmt::format("no M2S group on source {}", source);
  SeriesValue s;
  s.info = info;
  CountValue& c = s.total.count;
  c.state = placement == Placement::kNotSupported ? CountState::kNotSupported : CountState::kCounted;
  c.raw = raw;
  c.time_enabled_ns = enabled;
  c.time_running_ns = running;
  if (c.state == CountState::kCounted) {
    s.total.estimate = c.estimate();
    s.total.rate = *s.total.estimate;  // over one second
    s.total.running_share = static_cast<double>(running) / static_cast<double>(enabled);
  }
  s.interval = s.total;
  return s;
}

// Two endpoint CPMUs on one function, one on another, and a switch port.
Snapshot machine() {
  Snapshot s;
  for (auto [name, kind] : {std::pair{"0f:00.0/0", ComponentKind::kEndpoint},
                            {"0f:00.0/1", ComponentKind::kEndpoint},
                            {"13:00.0/0", ComponentKind::kEndpoint},
                            {"0d:00.0/0", ComponentKind::kSwitchUpstreamPort}}) {
    SourceStatus status;
    status.identity = source(name, kind);
    s.sources.push_back(status);
  }
  s.series = {series(0, 100, 1000, 1000), series(1, 0, 0, 0, Placement::kNotSupported), series(2, 300, 1000, 500),
              series(3, 7, 1000, 1000)};
  s.series[2].total.count.trusted = false;
  s.series[2].total.count.doubt = "a gap longer than one wrap";
  return s;
}

const std::vector<TermSeries> kTerm = {{"m2s_req_memrd", std::nullopt, "", {0, 1, 2, 3}, ""},
                                       {"cachedata_d2h_data", std::nullopt, "", {}, "no CPMU can count it"}};

TEST(StatAggregation, MergeSumsCpmusOfOneKindAndKeepsTopologyLevelsApart) {
  const Snapshot snapshot = machine();
  const AggregatedView view = aggregate(snapshot, kTerm, Aggregation::kMerge);
  ASSERT_EQ(view.rows.size(), 3u);
  const StatRow& endpoints = view.rows[0];
  EXPECT_EQ(endpoints.aggregate, "endpoint:3");
  EXPECT_EQ(endpoints.cpmus, (std::vector<std::string>{"0000:0f:00.0/0", "0000:0f:00.0/1", "0000:13:00.0/0"}));
  ASSERT_EQ(*endpoints.series, snapshot.series.size()) << "the sum is appended";
  const SeriesFigures& sum = view.snapshot.series[*endpoints.series].total;
  EXPECT_EQ(sum.count.state, CountState::kCounted);
  EXPECT_EQ(sum.count.raw, 400u);
  EXPECT_DOUBLE_EQ(*sum.estimate, 100.0 + 600.0) << "each member scaled for its own multiplexing";
  EXPECT_EQ(sum.count.time_enabled_ns, 2000u);
  EXPECT_EQ(sum.count.time_running_ns, 1500u);
  EXPECT_DOUBLE_EQ(*sum.running_share, 0.75);
  EXPECT_DOUBLE_EQ(*sum.rate, 700.0);
  EXPECT_FALSE(sum.count.trusted);
  EXPECT_EQ(sum.count.doubt, "a gap longer than one wrap");
  EXPECT_EQ(view.snapshot.series[*endpoints.series].info->placement, Placement::kConfigurable);
  // The switch port alone: its own series and name.
  EXPECT_EQ(view.rows[1].aggregate, "");
  EXPECT_EQ(view.rows[1].series, 3u);
  EXPECT_EQ(view.rows[2].series, std::nullopt);
  EXPECT_EQ(view.rows[2].reason, "no CPMU can count it");
}

TEST(StatAggregation, AGlobIsTheLabelAndAllUnsupportedMembersGiveTheFirstReason) {
  Snapshot snapshot = machine();
  const std::vector<TermSeries> glob = {{"m2s_req_memrd", std::nullopt, "cxl_pmu_mem*", {0, 2}, ""},
                                        {"x", std::nullopt, "", {1, 1}, ""}};
  const AggregatedView view = aggregate(snapshot, glob, Aggregation::kMerge);
  ASSERT_EQ(view.rows.size(), 2u);
  EXPECT_EQ(view.rows[0].aggregate, "cxl_pmu_mem*");
  const SeriesValue& none = view.snapshot.series[*view.rows[1].series];
  EXPECT_EQ(none.total.count.state, CountState::kNotSupported);
  EXPECT_EQ(none.info->placement_reason, "no M2S group on source 1");
  EXPECT_EQ(none.total.estimate, std::nullopt);
}

TEST(StatAggregation, PerCpmuIsALineEachAndPerDeviceSumsAFunctionsCpmus) {
  const Snapshot snapshot = machine();
  const AggregatedView each = aggregate(snapshot, kTerm, Aggregation::kPerCpmu);
  ASSERT_EQ(each.rows.size(), 5u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(each.rows[i].series, i);
    EXPECT_EQ(each.rows[i].aggregate, "");
  }
  EXPECT_EQ(each.snapshot.series.size(), snapshot.series.size());

  const AggregatedView devices = aggregate(snapshot, kTerm, Aggregation::kPerDevice);
  ASSERT_EQ(devices.rows.size(), 4u);
  EXPECT_EQ(devices.rows[0].aggregate, "0000:0f:00.0");
  EXPECT_EQ(devices.rows[0].cpmus, (std::vector<std::string>{"0000:0f:00.0/0", "0000:0f:00.0/1"}));
  EXPECT_EQ(devices.snapshot.series[*devices.rows[0].series].total.count.raw, 100u);
  EXPECT_EQ(devices.rows[1].series, 2u) << "one CPMU: its own line";
  EXPECT_EQ(devices.rows[2].series, 3u);
}

// -r N: means over the runs, and perf's "+- x.xx%", the standard error of
// the mean as a percent of it.
TEST(StatAggregation, RepeatedRunsGiveMeansAndTheSpreadOfTheMean) {
  std::vector<AggregatedView> runs;
  for (std::uint64_t raw : {100u, 200u, 300u}) {
    Snapshot snapshot = machine();
    snapshot.series[3] = series(3, raw, 1000, 1000);
    snapshot.start_ns = 0;
    snapshot.timestamp_ns = raw * 10;
    runs.push_back(aggregate(snapshot, kTerm, Aggregation::kPerCpmu));
  }
  std::optional<double> elapsed_noise;
  const AggregatedView mean = average_runs(runs, elapsed_noise);
  ASSERT_EQ(mean.rows.size(), 5u);
  const SeriesFigures& figures = mean.snapshot.series[3].total;
  EXPECT_DOUBLE_EQ(*figures.estimate, 200.0);
  EXPECT_EQ(figures.count.raw, 200u);
  // Deviations -100, 0, 100: sample variance 10000, error of the mean sqrt(10000 / 3).
  ASSERT_TRUE(mean.rows[3].noise_pct);
  EXPECT_NEAR(*mean.rows[3].noise_pct, 100.0 * std::sqrt(10000.0 / 3) / 200.0, 1e-9);
  EXPECT_EQ(mean.rows[0].noise_pct, 0.0) << "the same count each run";
  EXPECT_EQ(mean.rows[1].noise_pct, std::nullopt) << "not supported: nothing to average";
  EXPECT_EQ(mean.snapshot.elapsed_ns(), 2000u);
  ASSERT_TRUE(elapsed_noise);
  EXPECT_NEAR(*elapsed_noise, 100.0 * std::sqrt(10000.0 * 100 / 3) / 2000.0, 1e-9);

  const AggregatedView one = average_runs({runs[0]}, elapsed_noise);
  EXPECT_EQ(one.rows[3].noise_pct, std::nullopt);
  EXPECT_EQ(elapsed_noise, std::nullopt);
}

}  // namespace
}  // namespace cpmu::cli
