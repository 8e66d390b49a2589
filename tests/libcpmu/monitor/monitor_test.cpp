// THEORY OF OPERATION: the monitor's own logic over scripted backends, driven
// step by step on a manual clock: when it services and samples, what it
// publishes, and that its fd and next() agree whatever is queued. Counting
// accuracy against the simulator's ground truth is monitor_sim_test.cpp.
#include <gtest/gtest.h>
#include <poll.h>

#include <thread>

#include "cpmu/monitor.hpp"
#include "fake_backend.hpp"

namespace cpmu {
namespace {

using testing::counted;
using testing::fake_cpmu;
using testing::FakeScript;
using testing::ManualClock;
using testing::readable;

constexpr std::uint64_t kIntervalNs = 100'000'000;

// Takes one notification, checking first that the fd said one was there.
std::optional<Notification> take(Monitor& monitor) {
  const bool ready = readable(monitor.fd());
  auto notification = monitor.next();
  EXPECT_EQ(ready, notification.has_value()) << "poll() and next() disagree";
  return notification;
}

struct Rig {
  ManualClock clock;
  std::vector<std::shared_ptr<FakeScript>> scripts;
  std::unique_ptr<Monitor> monitor;

  explicit Rig(std::size_t cpmus = 1, MonitorOptions options = {}, std::vector<std::string> labels = {"a", "b"}) {
    std::vector<MonitoredCpmu> list;
    for (std::size_t i = 0; i < cpmus; ++i) {
      scripts.push_back(std::make_shared<FakeScript>());
      list.push_back(fake_cpmu(scripts.back(), labels, clock.function(), static_cast<unsigned>(i)));
    }
    monitor = testing::started_manual_monitor(std::move(list), std::move(options), clock, kIntervalNs);
  }
  void set(std::size_t cpmu, std::vector<CountValue> values) {
    std::lock_guard lock(scripts[cpmu]->mutex);
    scripts[cpmu]->values = std::move(values);
  }
  void interval() {
    clock.advance(kIntervalNs);
    ASSERT_TRUE(monitor->step());
  }
  std::vector<Notification> drain() {
    std::vector<Notification> all;
    while (auto n = take(*monitor)) all.push_back(std::move(*n));
    EXPECT_FALSE(readable(monitor->fd()));
    return all;
  }
};

TEST(MonitorNotifications, NothingPendingMeansFdNotReadableAndNextEmpty) {
  Rig rig;
  EXPECT_FALSE(readable(rig.monitor->fd()));
  EXPECT_FALSE(rig.monitor->next().has_value());
  rig.clock.advance(kIntervalNs - 1);
  ASSERT_TRUE(rig.monitor->step());
  EXPECT_FALSE(readable(rig.monitor->fd()));
  EXPECT_FALSE(rig.monitor->next().has_value());
}

TEST(MonitorNotifications, SnapshotMakesFdReadableUntilTaken) {
  Rig rig;
  rig.interval();
  EXPECT_TRUE(readable(rig.monitor->fd()));
  auto n = take(*rig.monitor);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, NotificationKind::kSnapshot);
  EXPECT_EQ(n->sequence, 1u);
  EXPECT_EQ(n->sequence, rig.monitor->latest()->sequence);
  EXPECT_FALSE(readable(rig.monitor->fd()));
  EXPECT_FALSE(take(*rig.monitor));
}

TEST(MonitorNotifications, ManyQueuedAreDrainedInOrderWithFdAgreeingEachTime) {
  Rig rig;
  for (int i = 0; i < 40; ++i) rig.interval();
  auto all = rig.drain();
  ASSERT_EQ(all.size(), 40u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].sequence, i + 1);
}

TEST(MonitorNotifications, FullQueueDropsOldestSnapshotsButNeverDeviceEvents) {
  MonitorOptions options;
  options.queue_capacity = 4;
  Rig rig(2, options);
  rig.scripts[1]->read_error = Error(Errc::kDeviceGone, "reads all ones");
  for (int i = 0; i < 10; ++i) rig.interval();
  auto all = rig.drain();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].kind, NotificationKind::kDeviceRemoved);
  EXPECT_EQ(all.back().sequence, 10u);
  EXPECT_EQ(rig.monitor->dropped_snapshot_notifications(), 7u);
}

TEST(MonitorNotifications, UntrustedIsNotifiedOnceWhenTrustIsLost) {
  Rig rig;
  rig.interval();
  CountValue doubtful = counted(10, kIntervalNs * 2);
  doubtful.trusted = false;
  doubtful.doubt = "polled too late to see every wrap";
  rig.set(0, {counted(5, kIntervalNs * 2), doubtful});
  rig.interval();
  rig.interval();
  auto all = rig.drain();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].kind, NotificationKind::kSnapshot);
  EXPECT_EQ(all[1].kind, NotificationKind::kUntrusted);
  EXPECT_EQ(all[1].series, 1u);
  EXPECT_EQ(all[1].cpmu, 0u);
  EXPECT_NE(all[1].message.find("0000:0d:00.0/0 b: polled too late"), std::string::npos) << all[1].message;
  EXPECT_EQ(all[1].sequence, all[2].sequence);
  EXPECT_EQ(all[2].kind, NotificationKind::kSnapshot);
  EXPECT_EQ(all[3].kind, NotificationKind::kSnapshot);
  EXPECT_EQ(all[3].sequence, rig.monitor->latest()->sequence);
  EXPECT_FALSE(rig.monitor->latest()->series[1].total.count.trusted);
}

TEST(MonitorNotifications, DeviceErrorIsReportedOnceWhileItLastsAndCountingResumes) {
  Rig rig;
  rig.set(0, {counted(7, kIntervalNs), counted(8, kIntervalNs)});
  rig.interval();
  rig.scripts[0]->read_error = Error(Errc::kTimeout, "the freeze bit never cleared");
  rig.interval();
  rig.interval();
  auto failing = rig.monitor->latest();
  EXPECT_EQ(failing->sources[0].health, SourceHealth::kError);
  EXPECT_EQ(failing->series[0].total.count.raw, 7u);
  EXPECT_EQ(failing->series[0].interval.count.raw, 0u);
  rig.scripts[0]->read_error.reset();
  rig.set(0, {counted(9, kIntervalNs * 4), counted(8, kIntervalNs * 4)});
  rig.interval();
  EXPECT_EQ(rig.monitor->latest()->sources[0].health, SourceHealth::kCounting);
  EXPECT_EQ(rig.monitor->latest()->series[0].interval.count.raw, 2u);

  auto all = rig.drain();
  std::vector<NotificationKind> kinds;
  for (const auto& n : all) kinds.push_back(n.kind);
  EXPECT_EQ(kinds, (std::vector<NotificationKind>{NotificationKind::kSnapshot, NotificationKind::kDeviceError,
                                                   NotificationKind::kSnapshot, NotificationKind::kSnapshot,
                                                   NotificationKind::kSnapshot}));
  EXPECT_EQ(all[1].message, "0000:0d:00.0/0: the freeze bit never cleared");
}

TEST(MonitorNotifications, RemovalEndsOnlyThatCpmusSeries) {
  Rig rig(2);
  rig.set(0, {counted(1, kIntervalNs), counted(2, kIntervalNs)});
  rig.set(1, {counted(3, kIntervalNs), counted(4, kIntervalNs)});
  rig.interval();
  rig.scripts[0]->read_error = Error(Errc::kDeviceGone, "config space reads all ones");
  rig.set(1, {counted(13, 2 * kIntervalNs), counted(14, 2 * kIntervalNs)});
  rig.interval();
  rig.set(1, {counted(23, 3 * kIntervalNs), counted(24, 3 * kIntervalNs)});
  rig.interval();
  const auto reads_when_gone = rig.scripts[0]->reads.load();
  rig.interval();
  EXPECT_EQ(rig.scripts[0]->reads.load(), reads_when_gone) << "a removed CPMU is not read again";

  auto snapshot = rig.monitor->latest();
  EXPECT_EQ(snapshot->sources[0].health, SourceHealth::kRemoved);
  EXPECT_EQ(snapshot->sources[1].health, SourceHealth::kCounting);
  EXPECT_TRUE(snapshot->series[0].ended);
  EXPECT_TRUE(snapshot->series[1].ended);
  EXPECT_EQ(snapshot->series[0].total.count.raw, 1u);
  EXPECT_FALSE(snapshot->series[2].ended);
  EXPECT_EQ(snapshot->series[2].total.count.raw, 23u);

  auto all = rig.drain();
  auto removed = std::count_if(all.begin(), all.end(),
                               [](const Notification& n) { return n.kind == NotificationKind::kDeviceRemoved; });
  EXPECT_EQ(removed, 1);
  auto it = std::find_if(all.begin(), all.end(),
                         [](const Notification& n) { return n.kind == NotificationKind::kDeviceRemoved; });
  EXPECT_EQ(it->cpmu, 0u);
  EXPECT_EQ(it->message, "0000:0d:00.0/0: config space reads all ones");
  EXPECT_NE(it->sequence, 0u) << "seen while sampling, so in a snapshot";
}

TEST(MonitorNotifications, ServiceFailureIsNotifiedWithoutASnapshot) {
  Rig rig;
  rig.scripts[0]->service_error = Error(Errc::kDeviceGone, "overflow status reads all ones");
  rig.scripts[0]->raise_service_fd();
  rig.clock.advance(1);
  ASSERT_TRUE(rig.monitor->step());
  auto n = take(*rig.monitor);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, NotificationKind::kDeviceRemoved);
  EXPECT_EQ(n->sequence, 0u) << "seen while servicing, between snapshots";
  EXPECT_FALSE(take(*rig.monitor));
}

TEST(MonitorService, CalledWhenTheServiceFdIsReadable) {
  Rig rig;
  ASSERT_TRUE(rig.monitor->step());
  EXPECT_EQ(rig.scripts[0]->services.load(), 0);
  rig.scripts[0]->raise_service_fd();
  ASSERT_TRUE(rig.monitor->step());
  EXPECT_EQ(rig.scripts[0]->services.load(), 1);
  ASSERT_TRUE(rig.monitor->step());
  EXPECT_EQ(rig.scripts[0]->services.load(), 1) << "the fd was consumed, so no further service";
}

TEST(MonitorService, CalledOncePerServicePeriod) {
  ManualClock clock;
  auto script = std::make_shared<FakeScript>();
  script->period = std::chrono::milliseconds(30);
  std::vector<MonitoredCpmu> list;
  list.push_back(fake_cpmu(script, {"a"}, clock.function()));
  MonitorOptions options;
  options.drive = MonitorDrive::kManual;
  options.now = clock.function();
  auto monitor = Monitor::create(std::move(list), options);
  ASSERT_TRUE(monitor);
  ASSERT_TRUE((*monitor)->start());
  clock.advance(29'999'999);
  ASSERT_TRUE((*monitor)->step());
  EXPECT_EQ(script->services.load(), 0);
  clock.advance(1);
  ASSERT_TRUE((*monitor)->step());
  EXPECT_EQ(script->services.load(), 1);
  ASSERT_TRUE((*monitor)->step());
  EXPECT_EQ(script->services.load(), 1);
  for (int i = 0; i < 10; ++i) {
    clock.advance(30'000'000);
    ASSERT_TRUE((*monitor)->step());
  }
  EXPECT_EQ(script->services.load(), 11);
}

// The direct backend falls back to polling in an interrupt storm and refines
// its period as its clock calibrates; a monitor that kept the period it saw
// at start would miss wraps.
TEST(MonitorService, FollowsAServicePeriodThatChangesWhileRunning) {
  ManualClock clock;
  auto script = std::make_shared<FakeScript>();
  std::vector<MonitoredCpmu> list;
  list.push_back(fake_cpmu(script, {"a"}, clock.function()));
  MonitorOptions options;
  options.interval = std::chrono::seconds(1);
  options.drive = MonitorDrive::kManual;
  options.now = clock.function();
  auto monitor = Monitor::create(std::move(list), options);
  ASSERT_TRUE(monitor);
  ASSERT_TRUE((*monitor)->start());
  EXPECT_EQ((*monitor)->next_deadline_ns(), 1'000'000'000u) << "interrupts alone: only the sample is due";

  script->period = std::chrono::milliseconds(5);
  script->raise_service_fd();
  clock.advance(1'000'000);
  ASSERT_TRUE((*monitor)->step());
  ASSERT_EQ(script->services.load(), 1);
  EXPECT_EQ((*monitor)->next_deadline_ns(), 6'000'000u) << "polling from the service that changed the period";
  clock.advance(5'000'000);
  ASSERT_TRUE((*monitor)->step());
  EXPECT_EQ(script->services.load(), 2);

  script->period = std::chrono::microseconds(100);
  clock.advance(1'000'000'000 - 6'000'000);
  ASSERT_TRUE((*monitor)->step());
  EXPECT_EQ(script->reads.load(), 2) << "the baseline and the first sample";
  EXPECT_EQ((*monitor)->next_deadline_ns(), 1'000'100'000u) << "a shorter period applies at once";

  script->period = std::chrono::nanoseconds(0);
  clock.advance(100'000);
  ASSERT_TRUE((*monitor)->step());
  const int services = script->services.load();
  EXPECT_EQ((*monitor)->next_deadline_ns(), 2'000'000'000u) << "back to interrupts: no more periodic service";
  clock.advance(500'000'000);
  ASSERT_TRUE((*monitor)->step());
  EXPECT_EQ(script->services.load(), services);
}

TEST(MonitorSnapshots, PublishedSnapshotNeverChanges) {
  Rig rig;
  rig.set(0, {counted(100, kIntervalNs), counted(200, kIntervalNs)});
  rig.interval();
  std::shared_ptr<const Snapshot> held = rig.monitor->latest();
  const Snapshot copy = *held;
  rig.set(0, {counted(500, 2 * kIntervalNs), counted(900, 2 * kIntervalNs)});
  rig.interval();
  rig.monitor->sample_now();
  EXPECT_NE(rig.monitor->latest(), held);
  EXPECT_EQ(held->sequence, copy.sequence);
  EXPECT_EQ(held->timestamp_ns, copy.timestamp_ns);
  ASSERT_EQ(held->series.size(), copy.series.size());
  for (std::size_t i = 0; i < copy.series.size(); ++i) {
    EXPECT_EQ(held->series[i].total.count.raw, copy.series[i].total.count.raw);
    EXPECT_EQ(held->series[i].interval.count.raw, copy.series[i].interval.count.raw);
    EXPECT_EQ(held->series[i].interval.rate, copy.series[i].interval.rate);
  }
  EXPECT_EQ(held->series[1].total.count.raw, 200u);
}

// Snapshots carry wall-clock time beside the monitor's clock, from the
// wall clock the options give (system_clock by default).
TEST(MonitorSnapshots, CarryTheWallClockBesideTheMonotonicOne) {
  std::uint64_t wall = 1'796'000'000'000'000'000ull;
  MonitorOptions options;
  options.wall_now = [&wall] { return wall += 7; };
  Rig rig(1, std::move(options));
  rig.interval();
  const auto first = rig.monitor->latest();
  rig.interval();
  const auto second = rig.monitor->latest();
  EXPECT_EQ(first->wall_time_ns + 7, second->wall_time_ns);
  EXPECT_GT(first->wall_time_ns, 1'796'000'000'000'000'000ull);
  EXPECT_EQ(second->timestamp_ns - first->timestamp_ns, kIntervalNs);

  Rig defaults;
  defaults.interval();
  const std::uint64_t now = wall_clock_now()();
  EXPECT_LE(defaults.monitor->latest()->wall_time_ns, now);
  EXPECT_GT(defaults.monitor->latest()->wall_time_ns, now - 60'000'000'000ull);
}

TEST(MonitorSnapshots, DeltasAndRatesComeFromSuccessiveTotals) {
  Rig rig;
  rig.set(0, {counted(1000, kIntervalNs), counted(0, kIntervalNs)});
  rig.interval();
  rig.set(0, {counted(3500, 2 * kIntervalNs), counted(0, 2 * kIntervalNs)});
  rig.interval();
  auto s = rig.monitor->latest();
  EXPECT_EQ(s->series[0].total.count.raw, 3500u);
  EXPECT_EQ(s->series[0].interval.count.raw, 2500u);
  EXPECT_EQ(s->series[0].interval.count.time_enabled_ns, kIntervalNs);
  EXPECT_EQ(s->sources[0].interval_ns, kIntervalNs);
  EXPECT_DOUBLE_EQ(*s->series[0].interval.rate, 25000.0);        // 2500 per 0.1 s
  EXPECT_DOUBLE_EQ(*s->series[0].total.rate, 17500.0);   // 3500 per 0.2 s
  EXPECT_DOUBLE_EQ(*s->series[0].total.running_share, 1.0);
  EXPECT_EQ(s->interval_ns, kIntervalNs);
  EXPECT_EQ(s->elapsed_ns(), 2 * kIntervalNs);
}

TEST(MonitorSnapshots, MultiplexedValuesAreScaledByEnabledOverRunning) {
  Rig rig;
  CountValue half = counted(400, kIntervalNs);
  half.time_running_ns = kIntervalNs / 2;
  rig.set(0, {half, counted(0, kIntervalNs)});
  rig.interval();
  auto s = rig.monitor->latest();
  EXPECT_DOUBLE_EQ(*s->series[0].total.estimate, 800.0);
  EXPECT_DOUBLE_EQ(*s->series[0].interval.estimate, 800.0);
  EXPECT_DOUBLE_EQ(*s->series[0].interval.rate, 8000.0);
  EXPECT_DOUBLE_EQ(*s->series[0].total.running_share, 0.5);
}

TEST(MonitorSnapshots, IntervalWithoutRunningTimeIsNotCounted) {
  Rig rig;
  CountValue ran = counted(400, kIntervalNs);
  ran.time_running_ns = kIntervalNs / 2;
  rig.set(0, {ran, counted(0, kIntervalNs)});
  rig.interval();
  CountValue rotated_out = ran;
  rotated_out.time_enabled_ns = 2 * kIntervalNs;
  rig.set(0, {rotated_out, counted(0, 2 * kIntervalNs)});
  rig.interval();
  auto s = rig.monitor->latest();
  EXPECT_EQ(s->series[0].interval.count.state, CountState::kNotCounted);
  EXPECT_FALSE(s->series[0].interval.estimate);
  EXPECT_FALSE(s->series[0].interval.rate);
  EXPECT_EQ(s->series[0].total.count.state, CountState::kCounted);
  EXPECT_DOUBLE_EQ(*s->series[0].total.estimate, 1600.0);
  EXPECT_DOUBLE_EQ(*s->series[0].total.running_share, 0.25);

  // A sample at the same instant: an empty interval counts nothing.
  auto again = rig.monitor->sample_now();
  EXPECT_EQ(again->series[1].interval.count.state, CountState::kCounted);
  EXPECT_DOUBLE_EQ(*again->series[1].interval.estimate, 0.0);
}

TEST(MonitorSnapshots, TotalThatGoesBackwardsIsUntrusted) {
  Rig rig;
  rig.set(0, {counted(50, kIntervalNs), counted(0, kIntervalNs)});
  rig.interval();
  rig.set(0, {counted(40, 2 * kIntervalNs), counted(0, 2 * kIntervalNs)});
  rig.interval();
  auto s = rig.monitor->latest();
  EXPECT_FALSE(s->series[0].total.count.trusted);
  EXPECT_EQ(s->series[0].interval.count.raw, 0u);
  EXPECT_NE(s->series[0].total.count.doubt.find("backwards"), std::string::npos);
}

TEST(MonitorSnapshots, NotSupportedRequestsStaySoWithTheirReason) {
  ManualClock clock;
  auto script = std::make_shared<FakeScript>();
  auto cpmu = fake_cpmu(script, {"a"}, clock.function());
  auto& planned = static_cast<testing::FakeBackend&>(*cpmu.backend).mutable_plan().counts[0];
  planned.placement = Placement::kNotSupported;
  planned.reason = "no event capability for group 0x8000";
  script->values[0].state = CountState::kNotSupported;
  std::vector<MonitoredCpmu> list;
  list.push_back(std::move(cpmu));
  MonitorOptions options;
  options.drive = MonitorDrive::kManual;
  options.now = clock.function();
  auto monitor = Monitor::create(std::move(list), options);
  ASSERT_TRUE(monitor);
  ASSERT_TRUE((*monitor)->start());
  auto s = (*monitor)->sample_now();
  EXPECT_EQ(s->series[0].total.count.state, CountState::kNotSupported);
  EXPECT_EQ(s->series[0].info->placement_reason, "no event capability for group 0x8000");
  EXPECT_FALSE(s->series[0].total.estimate);
}

TEST(MonitorSnapshots, SampleNowPublishesAndNotifies) {
  Rig rig;
  EXPECT_EQ(rig.monitor->latest(), nullptr);
  auto s = rig.monitor->sample_now();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(rig.monitor->latest(), s);
  auto n = take(*rig.monitor);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->sequence, s->sequence);
}

TEST(MonitorHistory, KeepsOnlyTheLastDepthPointsOldestFirst) {
  MonitorOptions options;
  options.history_depth = 5;
  Rig rig(1, options);
  for (std::uint64_t i = 1; i <= 12; ++i) {
    rig.set(0, {counted(i * 10, i * kIntervalNs), counted(i, i * kIntervalNs)});
    rig.interval();
  }
  ASSERT_EQ(rig.monitor->series_count(), 2u);
  auto points = rig.monitor->history(0);
  ASSERT_EQ(points.size(), 5u);
  for (std::size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].sequence, 8 + i);
    EXPECT_EQ(points[i].total, (8 + i) * 10);
    EXPECT_EQ(points[i].delta, 10u);
  }
  EXPECT_TRUE(rig.monitor->history(7).empty());
}

TEST(MonitorMetrics, EvaluatedWhereEveryInputIsCountedAndNotSupportedWithTheReasonElsewhere) {
  auto catalogue = load_event_catalogue(EventSearchPath{});
  MetricInfo read_bytes;
  read_bytes.name = "read_bandwidth";
  read_bytes.unit = Unit::kBytesPerSecond;
  read_bytes.formula = *Formula::parse("m2s_req_memrd * 64 / interval");
  MetricInfo missing = read_bytes;
  missing.name = "needs_ddr";
  missing.formula = *Formula::parse("ddr_act / interval");
  MonitorOptions options;
  options.metrics = {read_bytes, missing};
  options.catalogue = &catalogue.catalogue;
  // The fake's second request is gid 0x20 bit 1: m2s_req_memrd.
  Rig rig(1, options, {"m2s_req_meminv", "m2s_req_memrd"});
  rig.set(0, {counted(0, kIntervalNs), counted(1000, kIntervalNs)});
  rig.interval();
  rig.set(0, {counted(0, 2 * kIntervalNs), counted(1500, 2 * kIntervalNs)});
  rig.interval();
  auto s = rig.monitor->latest();
  ASSERT_EQ(s->metrics.size(), 2u);
  EXPECT_EQ(s->metrics[0].name, "read_bandwidth");
  EXPECT_EQ(s->metrics[0].unit, Unit::kBytesPerSecond);
  EXPECT_DOUBLE_EQ(*s->metrics[0].interval_value, 500 * 64 / 0.1);
  EXPECT_DOUBLE_EQ(*s->metrics[0].total_value, 1500 * 64 / 0.2);
  EXPECT_TRUE(s->metrics[0].trusted);
  EXPECT_EQ(s->metrics[0].not_supported, "");
  // The CPMU lacks ddr_act: the metric is there, without values, saying why.
  EXPECT_EQ(s->metrics[1].name, "needs_ddr");
  EXPECT_EQ(s->metrics[1].interval_value, std::nullopt);
  EXPECT_EQ(s->metrics[1].total_value, std::nullopt);
  EXPECT_EQ(s->metrics[1].not_supported, "input ddr_act is not counted on this CPMU");
}

TEST(MonitorLifecycle, CreateRejectsBadOptionsAndMismatchedPlans) {
  ManualClock clock;
  auto script = std::make_shared<FakeScript>();
  auto make = [&](MonitorOptions options) {
    std::vector<MonitoredCpmu> list;
    list.push_back(fake_cpmu(script, {"a"}, clock.function()));
    return Monitor::create(std::move(list), std::move(options));
  };
  MonitorOptions zero_interval;
  zero_interval.interval = std::chrono::nanoseconds(0);
  EXPECT_EQ(make(zero_interval).error().code(), Errc::kInvalidArgument);
  MonitorOptions no_history;
  no_history.history_depth = 0;
  EXPECT_EQ(make(no_history).error().code(), Errc::kInvalidArgument);
  MonitorOptions metrics_without_catalogue;
  metrics_without_catalogue.metrics.resize(1);
  EXPECT_EQ(make(metrics_without_catalogue).error().code(), Errc::kInvalidArgument);

  std::vector<MonitoredCpmu> mismatched;
  mismatched.push_back(fake_cpmu(script, {"a"}, clock.function()));
  mismatched[0].requests.push_back(mismatched[0].requests[0]);
  auto bad = Monitor::create(std::move(mismatched), {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("2 requests but the backend planned 1"), std::string::npos);

  std::vector<MonitoredCpmu> no_backend(1);
  EXPECT_FALSE(Monitor::create(std::move(no_backend), {}));
}

TEST(MonitorLifecycle, FailedStartStopsWhatWasStartedAndNamesTheCpmu) {
  ManualClock clock;
  auto good = std::make_shared<FakeScript>();
  auto bad = std::make_shared<FakeScript>();
  bad->start_error = Error(Errc::kBusy, "held by pid 42");
  std::vector<MonitoredCpmu> list;
  list.push_back(fake_cpmu(good, {"a"}, clock.function(), 0));
  list.push_back(fake_cpmu(bad, {"a"}, clock.function(), 1));
  MonitorOptions options;
  options.drive = MonitorDrive::kManual;
  options.now = clock.function();
  auto monitor = Monitor::create(std::move(list), options);
  ASSERT_TRUE(monitor);
  Status started = (*monitor)->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), Errc::kBusy);
  EXPECT_EQ(started.error().message(), "0000:0d:00.0/1: held by pid 42");
  EXPECT_TRUE(good->stopped.load());
  EXPECT_FALSE((*monitor)->step());
}

// A monitor that its own thread drives, not started, over one fake CPMU
// counting "a".
std::unique_ptr<Monitor> threaded_monitor(const std::shared_ptr<FakeScript>& script,
                                          std::chrono::nanoseconds interval) {
  std::vector<MonitoredCpmu> list;
  list.push_back(fake_cpmu(script, {"a"}, steady_now()));
  MonitorOptions options;
  options.interval = interval;
  auto monitor = Monitor::create(std::move(list), options);
  EXPECT_TRUE(monitor);
  return monitor ? std::move(*monitor) : nullptr;
}

TEST(MonitorLifecycle, StepIsForManualDriveAndStartHappensOnce) {
  auto script = std::make_shared<FakeScript>();
  auto monitor = threaded_monitor(script, std::chrono::hours(1));
  ASSERT_NE(monitor, nullptr);
  ASSERT_TRUE(monitor->start());
  EXPECT_FALSE(monitor->step());
  EXPECT_FALSE(monitor->start());
}

TEST(MonitorLifecycle, StoppedBeforeStartNeverStarts) {
  auto script = std::make_shared<FakeScript>();
  auto monitor = threaded_monitor(script, std::chrono::seconds(1));
  ASSERT_NE(monitor, nullptr);
  monitor->stop();
  EXPECT_FALSE(monitor->start());
  EXPECT_EQ(monitor->sample_now(), nullptr);
}

TEST(MonitorLifecycle, StopWhileTheThreadWaitsInPollReturnsAndStopsBackends) {
  auto script = std::make_shared<FakeScript>();
  auto monitor = threaded_monitor(script, std::chrono::hours(1));  // the thread can only be waiting
  ASSERT_NE(monitor, nullptr);
  ASSERT_TRUE(monitor->start());
  monitor->stop();
  EXPECT_TRUE(script->stopped.load());
  monitor->stop();  // idempotent
  // Totals stay readable after stop.
  EXPECT_NE(monitor->sample_now(), nullptr);
}

// stop() from another thread (a signal handler's, a front end's) may come
// at any point of start(): either start() wins and stop() ends what it
// started, or stop() wins and start() refuses. ThreadSanitizer (scripts/test
// --thread) checks the sampling thread's handle is never touched by both.
TEST(MonitorLifecycle, StopFromAnotherThreadDuringStartEndsOrPreventsIt) {
  for (int round = 0; round < 20; ++round) {
    auto script = std::make_shared<FakeScript>();
    auto monitor = threaded_monitor(script, std::chrono::hours(1));
    ASSERT_NE(monitor, nullptr);
    std::thread stopper([&] { monitor->stop(); });
    const bool started = static_cast<bool>(monitor->start());
    stopper.join();
    if (started) {
      monitor->stop();  // what the stopper may have missed; idempotent
      EXPECT_TRUE(script->stopped.load()) << "round " << round;
    }
    EXPECT_FALSE(monitor->start()) << "a stopped monitor does not start again";
  }
}

TEST(MonitorLifecycle, ThreadDeliversSnapshotsThroughTheFd) {
  auto script = std::make_shared<FakeScript>();
  auto monitor = threaded_monitor(script, std::chrono::milliseconds(1));
  ASSERT_NE(monitor, nullptr);
  ASSERT_TRUE(monitor->start());
  for (std::uint64_t expected = 1; expected <= 3;) {
    pollfd p{monitor->fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, -1), 1);
    auto n = monitor->next();
    ASSERT_TRUE(n) << "poll said readable, so next() must have one";
    if (n->kind == NotificationKind::kSnapshot) ++expected;
  }
  monitor->stop();
}

TEST(MonitorLifecycle, ThreadServicesWhenTheServiceFdBecomesReadable) {
  auto script = std::make_shared<FakeScript>();
  auto monitor = threaded_monitor(script, std::chrono::hours(1));
  ASSERT_NE(monitor, nullptr);
  ASSERT_TRUE(monitor->start());
  script->raise_service_fd();
  while (script->services.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  monitor->stop();
  EXPECT_EQ(script->services.load(), 1);
}

}  // namespace
}  // namespace cpmu
