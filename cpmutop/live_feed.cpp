#include "live_feed.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "cpmu/countable_capabilities.hpp"
#include "cpmu/counter_scheduler.hpp"

namespace cpmu::top {

namespace {

// Requests for the events of `names` a CPMU with `caps` can count, in order.
std::vector<CountRequest> requests_for(const EventCatalogue& catalogue, const CpmuCapabilities& caps,
                                       const std::vector<std::string>& names) {
  const CpmuEventCapabilities countable = countable_capabilities(caps);
  std::vector<CountRequest> out;
  for (const std::string& name : names) {
    const auto code = catalogue.resolve(name);
    if (!code || !countability(*code, countable).countable()) continue;
    CountRequest r;
    r.label = name;
    r.event.code = *code;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

const std::vector<std::string>& events_for(const Settings& settings, const std::string& cpmu, ComponentKind kind) {
  if (auto it = settings.cpmu_events.find(cpmu); it != settings.cpmu_events.end()) return it->second;
  if (auto it = settings.events.find(kind); it != settings.events.end()) return it->second;
  return default_events();
}

Result<std::unique_ptr<LiveFeed>> LiveFeed::open(std::unique_ptr<Session> session, std::string source,
                                                 const Settings& settings) {
  std::unique_ptr<LiveFeed> feed(new LiveFeed());
  feed->session_ = std::move(session);
  feed->source_ = std::move(source);
  // CDAT first: the sources' identities carry it (utilisation against capacity).
  feed->session_->cdat();
  if (auto built = feed->build(settings); !built) return built.error();
  return feed;
}

LiveFeed::~LiveFeed() {
  if (monitor_) monitor_->stop();
}

Result<CountingPlan> plan_counting(Session& session, const Settings& settings) {
  CountingPlan plan;
  const DiscoveredMachine& machine = session.machine();
  const EventCatalogue& catalogue = session.catalogue().catalogue;
  auto all = select_cpmus(machine, {});
  if (!all) return all.error();
  for (const CpmuRef& ref : *all) {
    const DiscoveredFunction& f = machine.functions[ref.function];
    const Cpmu& cpmu = f.cpmus[ref.cpmu];
    SourceIdentity identity = cpmu_identity(machine, ref.function, cpmu, &session.cdat(), &session.topology());
    const std::string name = identity.name.to_string();
    std::string why = cpmu_unusable_reason(cpmu);
    std::vector<CountRequest> requests;
    if (why.empty()) {
      requests = requests_for(catalogue, *cpmu.capabilities, events_for(settings, name, f.kind));
      if (requests.empty()) why = "it can count none of the events set up for it";
    }
    if (!why.empty()) {
      plan.idle.push_back({std::move(identity), cpmu.owner.kind == CpmuOwnerKind::kKernel, why});
      continue;
    }
    plan.targets.push_back({ref, std::move(requests), false});
  }
  plan.options.keep_going = true;
  plan.options.monitor.interval = std::chrono::milliseconds(100) * settings.delay_tenths;
  for (const char* metric : {"read_bandwidth", "write_bandwidth"}) {
    if (const MetricInfo* m = catalogue.find_metric(metric)) plan.options.monitor.metrics.push_back(*m);
  }
  plan.options.monitor.catalogue = &catalogue;
  return plan;
}

Status LiveFeed::build(const Settings& settings) {
  if (monitor_) monitor_->stop();
  monitor_.reset();
  labels_.clear();
  interval_ = std::chrono::milliseconds(100) * settings.delay_tenths;
  const DiscoveredMachine& machine = session_->machine();
  Result<CountingPlan> plan = plan_counting(*session_, settings);
  if (!plan) return plan.error();
  idle_ = std::move(plan->idle);
  std::vector<CountTarget>& targets = plan->targets;
  CountOptions& options = plan->options;
  std::map<CpmuRef, std::vector<std::string>> labels;
  for (const CountTarget& t : targets) {
    for (const CountRequest& r : t.requests) labels[t.cpmu].push_back(r.label);
  }
  auto counting = session_->count(std::move(targets), std::move(options));
  if (!counting) return counting.error();
  for (const SkippedCpmu& s : counting->skipped) {
    const Cpmu& cpmu = machine.functions[s.cpmu.function].cpmus[s.cpmu.cpmu];
    idle_.push_back({cpmu_identity(machine, s.cpmu.function, cpmu, &session_->cdat(), &session_->topology()),
                     cpmu.owner.kind == CpmuOwnerKind::kKernel, s.reason});
  }
  monitored_ = counting->cpmus;
  for (const CpmuRef& ref : monitored_) labels_.push_back(labels[ref]);
  monitor_ = std::move(counting->monitor);
  shown_ = 0;
  if (started_) return monitor_->start();
  return {};
}

Status LiveFeed::start() {
  started_ = true;
  return monitor_->start();
}

int LiveFeed::wait_fd() const { return monitor_->fd(); }

int LiveFeed::wait_ms() const { return 250; }

Result<std::shared_ptr<const Snapshot>> LiveFeed::next() {
  while (auto n = monitor_->next()) {
    if (n->kind != NotificationKind::kSnapshot) messages_.push_back(n->message);
  }
  auto latest = monitor_->latest();
  if (!latest || latest->sequence == shown_) return std::shared_ptr<const Snapshot>();
  shown_ = latest->sequence;
  return latest;
}

std::vector<HistoryPoint> LiveFeed::history(std::size_t series) const {
  if (series >= monitor_->series_count()) return {};
  return monitor_->history(series);
}

std::vector<std::string> LiveFeed::take_messages() { return std::exchange(messages_, {}); }

const CpmuCapabilities* LiveFeed::capabilities(const std::string& cpmu) const {
  for (const DiscoveredFunction& f : session_->machine().functions) {
    for (const Cpmu& c : f.cpmus) {
      if (CpmuName{f.info.address, c.instance}.to_string() == cpmu && c.capabilities) return &*c.capabilities;
    }
  }
  return nullptr;
}

std::vector<EventChoice> LiveFeed::choices(const std::string& cpmu, const std::vector<std::string>& chosen) {
  std::vector<EventChoice> out;
  const CpmuCapabilities* caps = capabilities(cpmu);
  if (!caps) return out;
  const EventCatalogue& catalogue = session_->catalogue().catalogue;
  const auto countable = catalogue.countable(countable_capabilities(*caps));
  std::vector<CountRequest> requests = requests_for(catalogue, *caps, chosen);
  for (const auto& entry : countable.events) {
    const std::string& name = entry.event->name;
    const bool is_chosen = std::find(chosen.begin(), chosen.end(), name) != chosen.end();
    std::vector<CountRequest> with = requests;
    std::size_t index = 0;
    if (is_chosen) {
      index = static_cast<std::size_t>(
          std::find_if(with.begin(), with.end(), [&](const CountRequest& r) { return r.label == name; }) -
          with.begin());
    } else {
      CountRequest r;
      r.label = name;
      r.event.code = entry.event->code;
      with.push_back(r);
      index = with.size() - 1;
    }
    const CountPlan plan = plan_counts(*caps, with);
    out.push_back({name, is_chosen, index < plan.counts.size() ? plan.counts[index] : PlannedCount{}});
  }
  return out;
}

std::vector<std::string> LiveFeed::counting(const std::string& cpmu) const {
  const DiscoveredMachine& machine = session_->machine();
  for (std::size_t i = 0; i < monitored_.size(); ++i) {
    const DiscoveredFunction& f = machine.functions[monitored_[i].function];
    if (CpmuName{f.info.address, f.cpmus[monitored_[i].cpmu].instance}.to_string() == cpmu && i < labels_.size()) {
      return labels_[i];
    }
  }
  return {};
}

Status LiveFeed::replan(const Settings& settings) { return build(settings); }

}  // namespace cpmu::top
