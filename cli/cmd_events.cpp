// cpmu events: what each CPMU can count, like perf list — the catalogue's
// events, aggregates and (with --metrics) derived metrics that its event
// capabilities and fixed/free-running counters allow, grouped by event group.
// With --catalogue, the catalogue itself, no machine needed.
// Exit status: 0 every selected CPMU listed, 1 some CPMU's capabilities are
// unknown (listed as such) or the catalogue had problems, 2 usage or backend error.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "cpmu/countable_capabilities.hpp"
#include "cpmu/cpmu_name.hpp"
#include "cpmu/event_naming.hpp"
#include "cpmu/json.hpp"
#include "device_selection.hpp"
#include "machine_source.hpp"

namespace cpmu::cli {
namespace {

struct EventsOptions {
  MachineSourceOptions machine;
  std::string cpmu;   // a selector; empty = every CPMU
  bool json = false;
  bool metrics = false;
  CLI::Option* catalogue = nullptr;  // --catalogue [FILE]: the catalogue itself, no machine
  std::string catalogue_file;
};

struct Selected {
  const DiscoveredFunction* function;
  const Cpmu* cpmu;
};

std::vector<Selected> selected_cpmus(const DiscoveredMachine& machine, const std::vector<CpmuRef>& refs) {
  std::vector<Selected> out;
  for (const CpmuRef& ref : refs) {
    const DiscoveredFunction& fn = machine.functions[ref.function];
    out.push_back({&fn, &fn.cpmus[ref.cpmu]});
  }
  return out;
}

std::string cpmu_name(const Selected& s) {
  return CpmuName{s.function->info.address, s.cpmu->instance}.to_string();
}

std::string raw_code(const EventCode& code) {
  return fmt::format("vid={:#06x},gid={:#06x},mask={:#x}", code.vid, code.gid, code.mask);
}

// The lines under a CPMU's heading, or under none for the catalogue itself
// (which has no unnamed bits: `unnamed` is null).
void print_countable(const EventCatalogue& catalogue, const EventCatalogue::Countable& countable,
                     const std::vector<EventCode>* unnamed, bool metrics) {
  const GroupInfo* current = nullptr;
  bool first = true;
  for (const EventCatalogue::CountableEvent& entry : countable.events) {
    const GroupInfo* group = catalogue.find_group(entry.event->code.vid, entry.event->code.gid);
    if (first || group != current) {
      fmt::print("  {} [vid {:#06x} gid {:#06x}]:\n", group ? group->name : std::string("events"),
                 entry.event->code.vid, entry.event->code.gid);
      current = group;
      first = false;
    }
    std::string marks = entry.event->kind == EventKind::kAggregate ? "[aggregate]" : "";
    if (entry.how.fixed_only()) marks += marks.empty() ? "[fixed counter only]" : " [fixed counter only]";
    fmt::print("    {:<32} {:<22} {}\n", entry.event->name, marks, entry.event->description);
  }
  if (unnamed != nullptr) {
    for (const EventCode& code : *unnamed) fmt::print("  not in the catalogue:\n    {}\n", raw_code(code));
  }
  if (metrics && !countable.metrics.empty()) {
    fmt::print("  metrics:\n");
    for (const EventCatalogue::CountableMetric& m : countable.metrics) {
      fmt::print("    {:<32} {:<22} {}\n", m.metric->name, "[" + std::string(unit_name(m.metric->unit)) + "]", m.metric->description);
    }
  }
}

void print_text(const EventCatalogue& catalogue, const Selected& s, bool metrics) {
  const CpmuCapabilities& caps = *s.cpmu->capabilities;
  fmt::print("{}  {}  ({} counters x {} bit)\n", cpmu_name(s), function_heading(*s.function), caps.counter_count,
             caps.counter_width);
  const CpmuEventCapabilities countable_caps = countable_capabilities(caps);
  const std::vector<EventCode> unnamed = unnamed_codes(catalogue, countable_caps);
  print_countable(catalogue, catalogue.countable(countable_caps), &unnamed, metrics);
}

// Every entry of the catalogue, as a CPMU that could count anything on a
// configurable counter would list it.
EventCatalogue::Countable everything(const EventCatalogue& catalogue) {
  EventCatalogue::Countable all;
  for (const EventInfo& event : catalogue.events()) all.events.push_back({&event, Countability{true, false}});
  for (const MetricInfo& metric : catalogue.metrics()) all.metrics.push_back({&metric, Countability{true, false}});
  return all;
}

// --catalogue [FILE]: the catalogue from the search path (or FILE alone) and
// every problem found loading it; status 1 when there is any.
int run_catalogue(const EventsOptions& options) {
  EventSearchPath path = default_event_search_path();
  if (!options.catalogue_file.empty()) path = EventSearchPath{false, {{options.catalogue_file, true}}};
  const CatalogueLoad load = load_event_catalogue(path);
  for (const Error& issue : load.issues) fmt::print(stderr, "cpmu events: {}\n", issue.message());
  const EventCatalogue::Countable all = everything(load.catalogue);
  if (options.json) {
    fmt::print("{}", json::encode_catalogue(all, load.issues));
  } else {
    fmt::print("catalogue: {} events and aggregates, {} metrics{}\n", all.events.size(), all.metrics.size(),
               options.catalogue_file.empty() ? "" : " in " + options.catalogue_file);
    print_countable(load.catalogue, all, nullptr, true);
  }
  return load.issues.empty() ? kExitOk : kExitPartial;
}

int run(const EventsOptions& options) {
  if (options.catalogue->count() > 0) return run_catalogue(options);
  auto opened = options.machine.open();
  if (!opened) {
    fmt::print(stderr, "cpmu events: {}\n", opened.error().message());
    return kExitUsage;
  }
  Session& session = **opened;
  auto refs = select_cpmus(session.machine(), options.cpmu.empty() ? std::vector<std::string>{}
                                                                   : std::vector<std::string>{options.cpmu});
  if (!refs) {
    fmt::print(stderr, "cpmu events: {}\n", refs.error().message());
    return kExitUsage;
  }
  const std::vector<Selected> selected = selected_cpmus(session.machine(), *refs);
  const CatalogueLoad& load = session.catalogue();
  for (const Error& issue : load.issues) fmt::print(stderr, "cpmu events: warning: {}\n", issue.message());
  int status = kExitOk;
  if (selected.empty()) {
    std::string note = unprivileged_note(session);
    fmt::print(stderr, "cpmu events: no CPMU found{}{}\n", note.empty() ? "" : ": ", note);
    // Unprivileged, the CPMUs could not be looked for: nothing listed is
    // then no answer, not an empty one.
    if (!note.empty()) status = kExitPartial;
  }

  json::EventsDocument document{&load.catalogue, {}, options.metrics};
  for (const Selected& s : selected) {
    if (!s.cpmu->capabilities) status = kExitPartial;
    if (options.json) {
      document.cpmus.push_back({s.function, s.cpmu});
    } else if (!s.cpmu->capabilities) {
      fmt::print("{}  {}\n  capabilities unknown: {}\n", cpmu_name(s), function_heading(*s.function),
                 s.cpmu->capabilities_unknown);
    } else {
      print_text(load.catalogue, s, options.metrics);
    }
  }
  if (options.json) fmt::print("{}", json::encode_events(document));
  return status;
}

}  // namespace

Runner setup_events(CLI::App& sub) {
  auto options = std::make_shared<EventsOptions>();
  options->machine.add_to(sub);
  auto* cpmu = sub.add_option("CPMU", options->cpmu,
                              "Which CPMUs: a selector (cpmu(1) SELECTORS: 0d:00.0/0, 0d:00.0, mem0, "
                              "cxl_pmu_mem0.0, endpoint, mem*, ...); default: every CPMU");
  sub.add_flag("--json", options->json, "JSON output (the events document of cpmu(1) JSON OUTPUT)");
  sub.add_flag("--metrics", options->metrics, "Also list the derived metrics each CPMU can compute");
  options->catalogue = sub.add_option("--catalogue", options->catalogue_file,
                                      "List and check the event catalogue itself, no machine needed: the one the "
                                      "search path builds (cpmu-events(5)), or FILE alone")
                           ->expected(0, 1)
                           ->type_name("[FILE]")
                           ->excludes(cpmu);
  return [options] { return run(*options); };
}

}  // namespace cpmu::cli
