#include "collection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <tuple>

#include "cpmu/counter_scheduler.hpp"
#include "cpmu/event_term.hpp"

namespace cpmu::exporter {

namespace {

std::string metric_part(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (word) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string code_text(const EventCode& code) {
  return fmt::format("vid=0x{:04x},gid=0x{:04x},mask=0x{:x}", code.vid, code.gid, code.mask);
}

struct PlannedEvent {
  CountRequest request;
  std::string metric, help;
  ByteDirection bytes = ByteDirection::kNone;
};

// The events of one component kind, parsed once per configuration.
Result<std::vector<PlannedEvent>> kind_events(const std::vector<std::string>& names, const EventCatalogue& catalogue) {
  const auto read_code = catalogue.resolve("s2m_drs_memdata");
  const auto write_code = catalogue.resolve("m2s_rwd_memwr_all");
  std::vector<PlannedEvent> out;
  for (const std::string& name : names) {
    auto terms = parse_event_terms(name, catalogue);
    if (!terms) return Error(Errc::kInvalidArgument, fmt::format("event '{}': {}", name, terms.error().message()));
    for (const EventTerm& term : *terms) {
      if (!term.pmu.empty()) {
        return Error(Errc::kInvalidArgument,
                     fmt::format("event '{}': name CPMUs under 'cpmus', not in an event", term.text));
      }
      PlannedEvent e;
      e.request.label = term.text;
      e.request.event.code = term.code;
      e.request.event.threshold = term.threshold;
      e.request.event.edge = term.edge;
      e.request.event.invert = term.invert;
      if (term.hdm) e.request.event.hdm_decoder = *term.hdm;
      e.metric = "cxl_cpmu_" + metric_part(term.text);
      const auto same = [&](const PlannedEvent& p) { return p.metric == e.metric; };
      if (std::any_of(out.begin(), out.end(), same)) continue;
      const EventInfo* info = term.name.empty() ? nullptr : catalogue.find_event(term.name);
      e.help = fmt::format("CPMU event {} ({}){}{}", term.text, code_text(term.code), info ? ": " : "",
                           info ? info->description : "");
      const bool plain = term.threshold == 0 && !term.edge && !term.invert && !term.hdm;
      if (plain && read_code && term.code == *read_code) e.bytes = ByteDirection::kRead;
      if (plain && write_code && term.code == *write_code) e.bytes = ByteDirection::kWrite;
      out.push_back(std::move(e));
    }
  }
  return out;
}

SourceExport source_export(const DiscoveredMachine& machine, std::size_t function_index, const Cpmu& cpmu,
                           const SourceIdentity& identity) {
  const DiscoveredFunction& function = machine.functions[function_index];
  SourceExport s;
  s.function_labels = pci_labels(function.info.address);
  s.labels = s.function_labels;
  s.labels.emplace_back("cpmu", std::to_string(cpmu.instance));
  s.function_address = function.info.address.to_string();
  s.name = CpmuName{function.info.address, cpmu.instance}.to_string();
  if (function.serial_number) s.serial = fmt::format("0x{:016x}", *function.serial_number);
  // The JSON documents' spelling (snake_case of the title), so labels and
  // /json agree: "switch_upstream_port".
  for (char c : component_kind_title(function.kind)) s.component += c == ' ' ? '_' : c;
  s.memdev = function.memdev;
  s.perf_pmu = cpmu.perf_pmu;
  s.link = function.link;
  for (const CdatPortPerf& pair : identity.cdat_port_pairs) {
    s.port_pairs.push_back({fmt::format("{:04x}", pair.port_x), fmt::format("{:04x}", pair.port_y), pair.perf});
  }
  return s;
}

}  // namespace

Labels pci_labels(const PciAddress& address) {
  return {{"segment", fmt::format("{:04x}", address.domain)},
          {"bus", fmt::format("{:02x}", address.bus)},
          {"device", fmt::format("{:02x}", address.device)},
          {"function", fmt::format("{:x}", address.function)}};
}

bool Collection::Key::operator<(const Key& other) const {
  auto tie = [](const Key& k) {
    const EventSelection& e = k.event;
    return std::tie(k.cpmu, e.code.vid, e.code.gid, e.code.mask, e.threshold, e.edge, e.invert, e.hdm_decoder,
                    e.channel_rank_bank);
  };
  return tie(*this) < tie(other);
}

Collection::Collection(std::unique_ptr<Session> session, CollectionConfig config)
    : session_(std::move(session)), config_(std::move(config)) {}

Collection::~Collection() { stop(); }

Result<std::unique_ptr<Collection>> Collection::open(std::unique_ptr<Session> session, CollectionConfig config) {
  std::unique_ptr<Collection> collection(new Collection(std::move(session), std::move(config)));
  // CDAT first, so every CPMU's identity carries its function's capacity.
  collection->session_->cdat();
  auto view = collection->count(collection->config_);
  if (!view) return view.error();
  collection->publish(std::move(*view));
  return collection;
}

Result<std::shared_ptr<CollectionView>> Collection::count(const CollectionConfig& config) {
  const CatalogueLoad& load = session_->catalogue();
  const DiscoveredMachine& machine = session_->machine();
  std::map<ComponentKind, std::vector<PlannedEvent>> events;
  for (const auto& [kind, names] : config.events) {
    auto parsed = kind_events(names, load.catalogue);
    if (!parsed) return parsed.error().context(std::string(component_kind_name(kind)));
    events[kind] = std::move(*parsed);
  }

  std::vector<CpmuRef> refs;
  const bool named = !config.cpmus.empty();
  if (named) {
    auto found = select_cpmus(machine, config.cpmus);
    if (!found) return found.error().context("cpmus");
    refs = std::move(*found);
  } else {
    for (std::size_t f = 0; f < machine.functions.size(); ++f) {
      for (std::size_t c = 0; c < machine.functions[f].cpmus.size(); ++c) refs.push_back({f, c});
    }
  }

  auto view = std::make_shared<CollectionView>();
  view->interval = config.interval;
  std::vector<CountTarget> targets;
  std::vector<std::vector<const PlannedEvent*>> target_events;
  for (const CpmuRef& ref : refs) {
    const DiscoveredFunction& function = machine.functions[ref.function];
    const Cpmu& cpmu = function.cpmus[ref.cpmu];
    const std::string name = CpmuName{function.info.address, cpmu.instance}.to_string();
    if (const std::string why = cpmu_unusable_reason(cpmu); !why.empty()) {
      view->skipped.push_back({ref, name, why});
      continue;
    }
    // Each CPMU counts what it can of its kind's events.
    const std::vector<PlannedEvent>& wanted = events.at(function.kind);
    std::vector<CountRequest> requests;
    requests.reserve(wanted.size());
    for (const PlannedEvent& e : wanted) requests.push_back(e.request);
    const CountPlan plan = plan_counts(*cpmu.capabilities, requests);
    CountTarget target{ref, {}, named};
    std::vector<const PlannedEvent*> chosen;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      if (plan.counts[i].placement == Placement::kNotSupported) continue;
      target.requests.push_back(wanted[i].request);
      chosen.push_back(&wanted[i]);
    }
    if (target.requests.empty()) {
      view->skipped.push_back({ref, name, "counts none of the configured events"});
      continue;
    }
    targets.push_back(std::move(target));
    target_events.push_back(std::move(chosen));
  }
  const std::vector<CountTarget> asked = targets;

  CountOptions options;
  options.monitor.interval = config.interval;
  options.monitor.history_depth = 1;  // scrapes read totals; no one reads history
  options.keep_going = true;
  auto counting = session_->count(std::move(targets), std::move(options));
  if (!counting) return counting.error();
  view->skipped.insert(view->skipped.end(), counting->skipped.begin(), counting->skipped.end());

  for (std::size_t i = 0; i < asked.size(); ++i) {
    const auto monitored = std::find(counting->cpmus.begin(), counting->cpmus.end(), asked[i].cpmu);
    if (monitored == counting->cpmus.end()) continue;
    const DiscoveredFunction& function = machine.functions[asked[i].cpmu.function];
    const Cpmu& cpmu = function.cpmus[asked[i].cpmu.cpmu];
    const SourceIdentity identity = cpmu_identity(machine, asked[i].cpmu.function, cpmu, &session_->cdat());
    view->sources.push_back(source_export(machine, asked[i].cpmu.function, cpmu, identity));
    for (const PlannedEvent* e : target_events[i]) {
      SeriesExport s;
      s.metric = e->metric;
      s.event = e->request.label;
      s.help = e->help;
      s.bytes = e->bytes;
      view->series.push_back(std::move(s));
    }
  }
  const std::uint64_t start_wall_ns = wall_clock_now()();
  if (auto started = counting->monitor->start(); !started) return started.error();
  // A first snapshot at once, so scrapes right after start or a reload find
  // every series (at its carried total) rather than none until one interval passes.
  counting->monitor->sample_now();
  view->monitor = std::shared_ptr<Monitor>(std::move(counting->monitor));

  // Totals of earlier monitors continue where a (CPMU, event) is still counted.
  std::size_t series = 0;
  for (const CountTarget& target : asked) {
    if (std::find(counting->cpmus.begin(), counting->cpmus.end(), target.cpmu) == counting->cpmus.end()) continue;
    const DiscoveredFunction& function = machine.functions[target.cpmu.function];
    const std::string cpmu = CpmuName{function.info.address, function.cpmus[target.cpmu.cpmu].instance}.to_string();
    for (const CountRequest& request : target.requests) {
      SeriesExport& s = view->series[series++];
      const Carry& carry = carry_.try_emplace(Key{cpmu, request.event}, Carry{0, false, start_wall_ns}).first->second;
      s.carried = carry.total;
      s.carried_untrusted = carry.untrusted;
      s.created_wall_ns = carry.created_wall_ns;
    }
  }
  return view;
}

void Collection::publish(std::shared_ptr<CollectionView> view) {
  std::shared_ptr<CollectionView> old;
  {
    std::lock_guard lock(mutex_);
    old = std::exchange(view_, std::move(view));
  }
  // Scrapes that still hold the old view finish with it; its monitor (and
  // with it the CPMU locks) goes here, on the session's thread.
  while (old && old.use_count() > 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::shared_ptr<const CollectionView> Collection::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

std::shared_ptr<const Snapshot> latest_snapshot(const CollectionView& view) {
  return view.monitor ? view.monitor->latest() : view.frozen;
}

// Stops the current monitor, folds its final totals into the carry and
// replaces it by a view of those totals, so the CPMUs are free to count again.
void Collection::retire_current() {
  std::shared_ptr<CollectionView> old;
  {
    std::lock_guard lock(mutex_);
    old = view_;
  }
  if (!old || !old->monitor) return;
  old->monitor->stop();
  const std::shared_ptr<const Snapshot> last = old->monitor->sample_now();
  if (last) {
    for (std::size_t i = 0; i < last->series.size() && i < old->series.size(); ++i) {
      const SeriesValue& value = last->series[i];
      const SourceExport& source = old->sources[value.info->source];
      Carry& carry = carry_[Key{source.name, value.info->event}];
      carry.total = old->series[i].carried + value.total.count.raw;
      carry.untrusted = old->series[i].carried_untrusted || !value.total.count.trusted;
    }
  }
  auto frozen = std::make_shared<CollectionView>(*old);
  frozen->monitor.reset();
  frozen->frozen = last;
  old.reset();
  publish(std::move(frozen));
}

Status Collection::reload(CollectionConfig config) {
  if (stopped()) return Error(Errc::kInvalidArgument, "the collection has stopped");
  retire_current();
  auto view = count(config);
  if (view) {
    config_ = std::move(config);
  } else {
    // The file is bad or cannot be counted: the previous one counts again.
    auto previous = count(config_);
    if (!previous) {
      std::lock_guard lock(mutex_);
      stopped_ = true;
      return Error(
          view.error().code(),
          view.error().message() + "; the previous collection could not restart either: " + previous.error().message());
    }
    (*previous)->config_error = view.error().message();
    view = std::move(previous);
  }
  const std::string error = (*view)->config_error;
  publish(std::move(*view));
  if (!error.empty()) return Error(Errc::kInvalidArgument, error);
  return {};
}

void Collection::stop() {
  std::lock_guard lock(mutex_);
  if (view_ && view_->monitor) view_->monitor->stop();
  stopped_ = true;
}

bool Collection::live_machine() const { return session_->backend().live; }

bool Collection::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

}  // namespace cpmu::exporter
