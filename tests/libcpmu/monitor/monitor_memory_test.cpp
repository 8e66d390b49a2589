// THEORY OF OPERATION: the monitor's memory does not grow with what a
// consumer leaves unread. A fleet of 1024 scripted CPMUs is sampled far more
// often than the notification queue holds, nobody drains it, and weak
// pointers to every published snapshot count how many are still alive: only
// latest() (and what a caller chose to keep) may be.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "cpmu/monitor.hpp"
#include "fake_backend.hpp"

namespace cpmu {
namespace {

using testing::FakeScript;
using testing::ManualClock;

constexpr std::size_t kCpmus = 1024;
constexpr std::uint64_t kIntervalNs = 100'000'000;

struct Fleet {
  ManualClock clock;
  std::shared_ptr<FakeScript> script = std::make_shared<FakeScript>();  // one eventfd for all
  std::unique_ptr<Monitor> monitor;
  unsigned samples = 0;

  explicit Fleet(MonitorOptions options) {
    std::vector<MonitoredCpmu> list;
    for (std::size_t i = 0; i < kCpmus; ++i) {
      list.push_back(testing::fake_cpmu(script, {"a", "b"}, clock.function(), static_cast<unsigned>(i)));
    }
    monitor = testing::started_manual_monitor(std::move(list), std::move(options), clock, kIntervalNs);
  }

  // Samples `count` more intervals (totals i and 2i at the i-th) and returns
  // a weak pointer to every snapshot published.
  std::vector<std::weak_ptr<const Snapshot>> sample(unsigned count) {
    std::vector<std::weak_ptr<const Snapshot>> published;
    for (unsigned end = samples + count; samples < end;) {
      const std::uint64_t i = ++samples;
      {
        std::lock_guard lock(script->mutex);
        script->values = {testing::counted(i, i * kIntervalNs), testing::counted(2 * i, i * kIntervalNs)};
      }
      clock.advance(kIntervalNs);
      EXPECT_TRUE(monitor->step());
      published.push_back(monitor->latest());
    }
    return published;
  }
};

std::size_t alive(const std::vector<std::weak_ptr<const Snapshot>>& snapshots) {
  return static_cast<std::size_t>(
      std::count_if(snapshots.begin(), snapshots.end(), [](const auto& s) { return !s.expired(); }));
}

TEST(MonitorMemory, UndrainedNotificationsKeepOnlyTheLatestSnapshotOf1024Cpmus) {
  MonitorOptions options;
  options.queue_capacity = 64;
  options.history_depth = 4;
  Fleet fleet(options);
  const auto published = fleet.sample(200);

  ASSERT_EQ(fleet.monitor->latest()->sources.size(), kCpmus);
  ASSERT_EQ(fleet.monitor->latest()->series.size(), 2 * kCpmus);
  EXPECT_EQ(alive(published), 1u) << "pending notifications must not pin snapshots";
  EXPECT_FALSE(published.back().expired()) << "the one alive is latest()";
  EXPECT_TRUE(testing::readable(fleet.monitor->fd())) << "the notifications are still pending";
  EXPECT_EQ(fleet.monitor->dropped_snapshot_notifications(), 200u - 64u) << "the queue stays at its capacity";

  // Draining late still names every kept notification's snapshot in order,
  // the newest being latest()'s.
  std::uint64_t previous = 0, count = 0;
  while (auto n = fleet.monitor->next()) {
    EXPECT_EQ(n->kind, NotificationKind::kSnapshot);
    EXPECT_GT(n->sequence, previous);
    previous = n->sequence;
    ++count;
  }
  EXPECT_EQ(count, 64u);
  EXPECT_EQ(previous, fleet.monitor->latest()->sequence);
}

TEST(MonitorMemory, ASnapshotACallerKeepsStaysWholeWhileLaterOnesAreReleased) {
  Fleet fleet(MonitorOptions{});
  fleet.sample(3);
  const std::shared_ptr<const Snapshot> kept = fleet.monitor->latest();
  const auto later = fleet.sample(100);

  EXPECT_EQ(alive(later), 1u);
  EXPECT_EQ(kept->sequence, 3u);
  EXPECT_EQ(kept->series[1].total.count.raw, 6u) << "what the caller holds never changes under it";
  EXPECT_EQ(fleet.monitor->latest()->series[1].total.count.raw, 206u);
}

}  // namespace
}  // namespace cpmu
