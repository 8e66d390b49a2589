#include "cpmu/monitor.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <limits>
#include <mutex>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "monitor/history.hpp"
#include "monitor/notification_queue.hpp"
#include "monitor/snapshot_values.hpp"
#include "util/unique_fd.hpp"

namespace cpmu {

std::string_view notification_kind_name(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::kSnapshot: return "snapshot";
    case NotificationKind::kUntrusted: return "untrusted";
    case NotificationKind::kDeviceRemoved: return "device_removed";
    case NotificationKind::kDeviceError: return "device_error";
  }
  return "unknown";
}

namespace {

std::uint64_t ns_count(std::chrono::nanoseconds duration) {
  return duration.count() > 0 ? static_cast<std::uint64_t>(duration.count()) : 0;
}

struct CpmuSlot {
  std::unique_ptr<CounterBackend> backend;
  std::vector<int> service_fds;
  std::uint64_t service_period_ns = 0;   // 0: interrupts alone keep it exact
  std::uint64_t service_due_ns = 0;
  std::uint64_t start_sample_ns = 0;     // the backend's clock at start
  std::uint64_t last_sample_ns = 0;      // the backend's clock at the last good read
  SourceStatus status;
  std::size_t first_series = 0;
  std::size_t series_count = 0;
  bool started = false;

  // A backend's period changes as it runs (its clock calibrates, an interrupt
  // storm sends it back to polling), so it is asked again after every call.
  void refresh_service_period(std::uint64_t now_ns) {
    const std::uint64_t period = ns_count(backend->service_period());
    if (period > 0 && (service_period_ns == 0 || now_ns + period < service_due_ns)) service_due_ns = now_ns + period;
    service_period_ns = period;
  }
};

enum class RunState { kCreated, kRunning, kStopped };

}  // namespace

struct Monitor::Engine {
  MonitorOptions options;
  std::vector<CpmuSlot> cpmus;
  std::vector<SeriesValue> series;   // as of the last snapshot; the next one starts from these
  std::vector<detail::BoundMetric> metrics;
  std::unique_ptr<detail::NotificationQueue> queue;
  detail::UniqueFd wake;             // stop() makes it readable to end the thread's poll

  mutable std::mutex mutex;          // everything above that changes, and the backends
  RunState state = RunState::kCreated;
  bool ever_started = false;         // start() succeeded once: there are totals to read
  std::uint64_t start_ns = 0;
  std::uint64_t next_sample_ns = 0;
  std::uint64_t last_snapshot_ns = 0;
  std::uint64_t sequence = 0;

  mutable std::mutex published_mutex;   // what readers see
  std::shared_ptr<const Snapshot> latest;
  std::vector<detail::SeriesHistory> histories;

  // Held through the whole of start() and stop(), which may come from
  // different threads: the thread handle is only touched under it, and a
  // stop() during start() either ends what start() began or makes it refuse.
  std::mutex lifecycle_mutex;
  std::thread thread;
  std::atomic<bool> stopping{false};

  std::uint64_t now() const { return options.now(); }
  void notify(NotificationKind kind, std::uint64_t snapshot_sequence, std::optional<std::size_t> cpmu,
              std::optional<std::size_t> series_index, std::string message) const {
    queue->push(Notification{kind, now(), snapshot_sequence, cpmu, series_index, std::move(message)});
  }

  Status start_locked();
  void stop_lifecycle_locked();  // stop()'s work, under lifecycle_mutex
  void stop_backends_locked();
  std::shared_ptr<const Snapshot> sample_locked();
  void service_locked(std::uint64_t now_ns);
  void step_locked();
  std::uint64_t next_deadline_locked() const;
  std::vector<pollfd> poll_set_locked() const;
  // Records a failed read or service in the CPMU's status; returns the
  // notification to send when the failure is news.
  std::optional<Notification> record_failure_locked(std::size_t index, const Error& error);
  void run_thread();
};

namespace {

std::string cpmu_label(const CpmuSlot& slot) { return slot.status.identity->name.to_string(); }

// Backends' errors usually name their device already ("0000:0d:00.0 CPMU
// 0: ..."); a second prefix would only repeat it.
Error naming_cpmu(const Error& error, const CpmuSlot& slot) {
  if (error.message().find(slot.status.identity->name.function.to_string()) != std::string::npos) return error;
  return error.context(cpmu_label(slot));
}

}  // namespace

Result<std::unique_ptr<Monitor>> Monitor::create(std::vector<MonitoredCpmu> cpmus, MonitorOptions options) {
  auto invalid = [](const std::string& message) { return Error(Errc::kInvalidArgument, "monitor: " + message); };
  if (options.interval.count() <= 0) return invalid("the sampling interval must be positive");
  if (options.history_depth == 0) return invalid("the history depth must be at least 1");
  if (options.queue_capacity < 2) return invalid("the notification queue needs room for at least 2");
  if (!options.metrics.empty() && options.catalogue == nullptr) {
    return invalid("metrics need the event catalogue their inputs are named in");
  }
  if (!options.now) options.now = steady_now();
  if (!options.wall_now) options.wall_now = wall_clock_now();

  auto engine = std::make_unique<Engine>();
  for (MonitoredCpmu& cpmu : cpmus) {
    const std::string name = cpmu.identity.name.to_string();
    if (!cpmu.backend) return invalid(fmt::format("{} has no counter backend", name));
    const CountPlan& plan = cpmu.backend->plan();
    if (plan.counts.size() != cpmu.requests.size()) {
      return invalid(fmt::format("{}: {} requests but the backend planned {}", name, cpmu.requests.size(),
                                 plan.counts.size()));
    }
    CpmuSlot slot;
    slot.status.identity = std::make_shared<const SourceIdentity>(std::move(cpmu.identity));
    slot.status.backend = std::string(cpmu.backend->kind());
    slot.first_series = engine->series.size();
    slot.series_count = cpmu.requests.size();
    for (std::size_t i = 0; i < cpmu.requests.size(); ++i) {
      auto info = std::make_shared<SeriesInfo>();
      info->source = engine->cpmus.size();
      info->label = cpmu.requests[i].label;
      info->event = cpmu.requests[i].event;
      info->placement = plan.counts[i].placement;
      info->placement_reason = plan.counts[i].reason;
      SeriesValue series;
      series.total.count.state =
          info->placement == Placement::kNotSupported ? CountState::kNotSupported : CountState::kNotCounted;
      series.info = std::move(info);
      series.interval.count = series.total.count;
      engine->series.push_back(std::move(series));
    }
    slot.backend = std::move(cpmu.backend);
    engine->cpmus.push_back(std::move(slot));
  }
  auto queue = detail::NotificationQueue::create(options.queue_capacity);
  if (!queue) return queue.error();
  engine->queue = std::move(*queue);
  const int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) return Error(Errc::kIo, fmt::format("monitor: eventfd: {}", std::strerror(errno)));
  engine->wake = detail::UniqueFd(wake);
  engine->histories.reserve(engine->series.size());
  for (std::size_t i = 0; i < engine->series.size(); ++i) engine->histories.emplace_back(options.history_depth);
  engine->options = std::move(options);
  if (engine->options.catalogue != nullptr) {
    engine->metrics = detail::bind_metrics(engine->options.metrics, *engine->options.catalogue, engine->series,
                                           engine->cpmus.size());
  }
  return std::unique_ptr<Monitor>(new Monitor(std::move(engine)));
}

Monitor::Monitor(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}

Monitor::~Monitor() { stop(); }

Status Monitor::start() {
  std::lock_guard lifecycle(engine_->lifecycle_mutex);
  {
    std::lock_guard lock(engine_->mutex);
    if (Status started = engine_->start_locked(); !started) return started;
  }
  if (engine_->options.drive != MonitorDrive::kThread) return {};
  try {
    engine_->thread = std::thread([this] { engine_->run_thread(); });
  } catch (const std::system_error& e) {
    // Exceptions stay inside the library: no thread means no monitor.
    engine_->stop_lifecycle_locked();
    return Error(Errc::kIo, fmt::format("monitor: cannot start the sampling thread: {}", e.what()));
  }
  return {};
}

Status Monitor::Engine::start_locked() {
  if (state != RunState::kCreated) {
    return Error(Errc::kInvalidArgument, "monitor: start() is allowed once, on a monitor that has not run");
  }
  for (CpmuSlot& slot : cpmus) {
    Status started = slot.backend->start();
    std::optional<Result<CountSample>> baseline;
    if (started) {
      slot.started = true;
      baseline = slot.backend->read();
      if (!*baseline) started = baseline->error();
    }
    if (!started) {
      stop_backends_locked();
      return naming_cpmu(started.error(), slot);
    }
    slot.service_fds = slot.backend->service_fds();
    slot.service_period_ns = ns_count(slot.backend->service_period());
    slot.start_sample_ns = slot.last_sample_ns = (*baseline)->timestamp_ns;
    slot.status.sample_ns = slot.start_sample_ns;
    const auto& values = (*baseline)->values;
    for (std::size_t i = 0; i < slot.series_count && i < values.size(); ++i) {
      SeriesValue& s = series[slot.first_series + i];
      detail::update_series(s, values[i], values[i], 0);
    }
  }
  start_ns = last_snapshot_ns = now();
  next_sample_ns = start_ns + ns_count(options.interval);
  for (CpmuSlot& slot : cpmus) slot.service_due_ns = start_ns + slot.service_period_ns;
  state = RunState::kRunning;
  ever_started = true;
  return {};
}

void Monitor::Engine::stop_backends_locked() {
  for (CpmuSlot& slot : cpmus) {
    // A backend that cannot stop (its device is gone) has nothing left to
    // stop; the monitor's job ends either way.
    if (slot.started) [[maybe_unused]] Status stopped = slot.backend->stop();
    slot.started = false;
  }
}

void Monitor::stop() {
  std::lock_guard lifecycle(engine_->lifecycle_mutex);
  engine_->stop_lifecycle_locked();
}

void Monitor::Engine::stop_lifecycle_locked() {
  stopping.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake.get(), &one, sizeof one);
  // The thread never takes lifecycle_mutex, so joining under it cannot deadlock.
  if (thread.joinable()) thread.join();
  std::lock_guard lock(mutex);
  if (state == RunState::kRunning) stop_backends_locked();
  state = RunState::kStopped;
}

Status Monitor::step() {
  if (engine_->options.drive != MonitorDrive::kManual) {
    return Error(Errc::kInvalidArgument, "monitor: step() is for Drive::kManual; a thread drives this monitor");
  }
  std::lock_guard lock(engine_->mutex);
  if (engine_->state != RunState::kRunning) return Error(Errc::kInvalidArgument, "monitor: step() before start()");
  engine_->step_locked();
  return {};
}

std::optional<std::uint64_t> Monitor::next_deadline_ns() const {
  std::lock_guard lock(engine_->mutex);
  if (engine_->state != RunState::kRunning) return std::nullopt;
  return engine_->next_deadline_locked();
}

std::shared_ptr<const Snapshot> Monitor::sample_now() {
  std::lock_guard lock(engine_->mutex);
  if (!engine_->ever_started) return nullptr;
  return engine_->sample_locked();
}

std::shared_ptr<const Snapshot> Monitor::latest() const {
  std::lock_guard lock(engine_->published_mutex);
  return engine_->latest;
}

int Monitor::fd() const { return engine_->queue->fd(); }

std::optional<Notification> Monitor::next() { return engine_->queue->pop(); }

std::uint64_t Monitor::dropped_snapshot_notifications() const { return engine_->queue->dropped_snapshots(); }

std::size_t Monitor::series_count() const { return engine_->histories.size(); }

std::vector<HistoryPoint> Monitor::history(std::size_t series) const {
  std::lock_guard lock(engine_->published_mutex);
  if (series >= engine_->histories.size()) return {};
  return engine_->histories[series].points();
}

void Monitor::Engine::step_locked() {
  const std::uint64_t now_ns = now();
  service_locked(now_ns);
  if (now_ns < next_sample_ns) return;
  sample_locked();
  // Samples keep to the schedule; one that is late by whole intervals
  // (a stalled machine) skips them rather than firing a burst.
  const std::uint64_t interval = ns_count(options.interval);
  next_sample_ns += interval;
  if (next_sample_ns <= now_ns) next_sample_ns = now_ns + interval;
}

void Monitor::Engine::service_locked(std::uint64_t now_ns) {
  for (std::size_t i = 0; i < cpmus.size(); ++i) {
    CpmuSlot& slot = cpmus[i];
    if (!slot.started || slot.status.health == SourceHealth::kRemoved) continue;
    bool due = slot.service_period_ns > 0 && now_ns >= slot.service_due_ns;
    for (int fd : slot.service_fds) {
      pollfd ready{fd, POLLIN, 0};
      due = due || (::poll(&ready, 1, 0) > 0 && (ready.revents & POLLIN) != 0);
    }
    if (!due) continue;
    slot.service_due_ns = now_ns + slot.service_period_ns;
    if (Status serviced = slot.backend->service(); !serviced) {
      if (auto notification = record_failure_locked(i, serviced.error())) queue->push(std::move(*notification));
    }
    slot.refresh_service_period(now_ns);
  }
}

std::optional<Notification> Monitor::Engine::record_failure_locked(std::size_t index, const Error& error) {
  CpmuSlot& slot = cpmus[index];
  const std::string message = naming_cpmu(error, slot).message();
  if (error.code() == Errc::kDeviceGone) {
    slot.status.health = SourceHealth::kRemoved;
    slot.status.error = message;
    return Notification{NotificationKind::kDeviceRemoved, now(), 0, index, std::nullopt, message};
  }
  // A failure that lasts is reported once, not at every sample.
  const bool news = slot.status.health != SourceHealth::kError || slot.status.error != message;
  slot.status.health = SourceHealth::kError;
  slot.status.error = message;
  if (!news) return std::nullopt;
  return Notification{NotificationKind::kDeviceError, now(), 0, index, std::nullopt, message};
}

std::shared_ptr<const Snapshot> Monitor::Engine::sample_locked() {
  std::vector<Notification> failures;
  std::vector<std::size_t> untrusted;
  std::vector<bool> fresh(cpmus.size(), false);

  for (std::size_t c = 0; c < cpmus.size(); ++c) {
    CpmuSlot& slot = cpmus[c];
    auto hold = [&] {
      slot.status.interval_ns = 0;
      for (std::size_t i = 0; i < slot.series_count; ++i) {
        SeriesValue& s = series[slot.first_series + i];
        detail::hold_series(s);
        s.ended = slot.status.health == SourceHealth::kRemoved;
      }
    };
    if (slot.status.health == SourceHealth::kRemoved) {
      hold();
      continue;
    }
    Result<CountSample> sample = slot.backend->read();
    slot.refresh_service_period(now());
    if (sample && sample->values.size() != slot.series_count) {
      sample = Error(Errc::kMalformed, fmt::format("the backend returned {} values for {} requests",
                                                   sample->values.size(), slot.series_count));
    }
    if (!sample) {
      if (auto notification = record_failure_locked(c, sample.error())) failures.push_back(std::move(*notification));
      hold();
      continue;
    }
    const std::uint64_t interval = sample->timestamp_ns - std::min(sample->timestamp_ns, slot.last_sample_ns);
    for (std::size_t i = 0; i < slot.series_count; ++i) {
      const std::size_t index = slot.first_series + i;
      SeriesValue& s = series[index];
      const CountValue previous = s.total.count;
      detail::update_series(s, previous, sample->values[i], interval);
      if (previous.trusted && !s.total.count.trusted) untrusted.push_back(index);
    }
    slot.status.health = SourceHealth::kCounting;
    slot.status.error.clear();
    slot.status.sample_ns = slot.last_sample_ns = sample->timestamp_ns;
    slot.status.interval_ns = interval;
    fresh[c] = true;
  }

  auto snapshot = std::make_shared<Snapshot>();
  snapshot->sequence = ++sequence;
  snapshot->timestamp_ns = now();
  snapshot->wall_time_ns = options.wall_now();
  snapshot->start_ns = start_ns;
  snapshot->interval_ns = snapshot->timestamp_ns - std::min(snapshot->timestamp_ns, last_snapshot_ns);
  last_snapshot_ns = snapshot->timestamp_ns;
  for (const CpmuSlot& slot : cpmus) snapshot->sources.push_back(slot.status);
  snapshot->series = series;
  for (const detail::BoundMetric& bound : metrics) {
    const CpmuSlot& slot = cpmus[bound.cpmu];
    snapshot->metrics.push_back(detail::evaluate_metric(bound, series, slot.status.interval_ns,
                                                        slot.last_sample_ns - slot.start_sample_ns));
  }
  std::shared_ptr<const Snapshot> published = std::move(snapshot);
  {
    std::lock_guard lock(published_mutex);
    latest = published;
    for (std::size_t c = 0; c < cpmus.size(); ++c) {
      if (!fresh[c]) continue;
      for (std::size_t i = 0; i < cpmus[c].series_count; ++i) {
        const std::size_t index = cpmus[c].first_series + i;
        const SeriesValue& s = series[index];
        histories[index].push({published->sequence, cpmus[c].status.sample_ns, s.total.count.raw,
                               s.interval.count.raw, s.interval.rate, s.total.count.state, s.total.count.trusted});
      }
    }
  }
  for (Notification& failure : failures) {
    failure.sequence = published->sequence;
    queue->push(std::move(failure));
  }
  for (std::size_t index : untrusted) {
    const SeriesValue& s = series[index];
    notify(NotificationKind::kUntrusted, published->sequence, s.info->source, index,
           fmt::format("{} {}: {}", cpmu_label(cpmus[s.info->source]), s.info->label, s.total.count.doubt));
  }
  notify(NotificationKind::kSnapshot, published->sequence, std::nullopt, std::nullopt, {});
  return published;
}

std::uint64_t Monitor::Engine::next_deadline_locked() const {
  std::uint64_t deadline = next_sample_ns;
  for (const CpmuSlot& slot : cpmus) {
    if (slot.started && slot.service_period_ns > 0 && slot.status.health != SourceHealth::kRemoved) {
      deadline = std::min(deadline, slot.service_due_ns);
    }
  }
  return deadline;
}

std::vector<pollfd> Monitor::Engine::poll_set_locked() const {
  std::vector<pollfd> fds{{wake.get(), POLLIN, 0}};
  for (const CpmuSlot& slot : cpmus) {
    // A removed device's interrupt fd may stay readable forever; watching it
    // would spin the thread.
    if (!slot.started || slot.status.health == SourceHealth::kRemoved) continue;
    for (int fd : slot.service_fds) fds.push_back({fd, POLLIN, 0});
  }
  return fds;
}

void Monitor::Engine::run_thread() {
  while (!stopping.load()) {
    std::vector<pollfd> fds;
    std::uint64_t wait_ns = 0;
    {
      std::lock_guard lock(mutex);
      fds = poll_set_locked();
      const std::uint64_t now_ns = now();
      const std::uint64_t deadline = next_deadline_locked();
      wait_ns = deadline > now_ns ? deadline - now_ns : 0;
    }
    const timespec timeout{static_cast<time_t>(wait_ns / 1'000'000'000),
                           static_cast<long>(wait_ns % 1'000'000'000)};
    if (::ppoll(fds.data(), fds.size(), &timeout, nullptr) < 0 && errno != EINTR) {
      // poll only fails for resource exhaustion; back off rather than spin.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (stopping.load()) break;
    std::lock_guard lock(mutex);
    if (state == RunState::kRunning) step_locked();
  }
}

}  // namespace cpmu
