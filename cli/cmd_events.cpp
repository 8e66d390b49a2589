// cpmu events: what each CPMU can count, like perf list — the catalogue's
// events, aggregates and (with --metrics) derived metrics that its event
// capabilities and fixed/free-running counters allow, grouped by event group.
// Exit status: 0 every selected CPMU listed, 1 some CPMU's capabilities are
// unknown (listed as such), 2 usage or backend error.
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

namespace cpmu::cli {
namespace {

struct EventsOptions {
  PlatformOptions platform;
  std::string cpmu;   // "BDF/N", a BDF or a kernel name; empty = every CPMU
  bool json = false;
  bool metrics = false;
  SysfsRoots roots;
};

struct Selected {
  const DiscoveredFunction* function;
  const Cpmu* cpmu;
};

Result<std::vector<Selected>> select_cpmus(const DiscoveredMachine& machine, const std::string& text) {
  std::vector<Selected> out;
  if (text.find('/') != std::string::npos) {
    auto name = CpmuName::parse(text);
    if (!name) return name.error();
    for (const DiscoveredFunction& fn : machine.functions) {
      if (fn.info.address != name->function) continue;
      for (const Cpmu& c : fn.cpmus) {
        if (c.instance == name->instance) out.push_back({&fn, &c});
      }
    }
    if (out.empty()) return Error(Errc::kNotFound, fmt::format("no CPMU {} in this machine", text));
    return out;
  }
  auto functions = select_functions(machine, text, [](const DiscoveredFunction& fn) { return !fn.cpmus.empty(); });
  if (!functions) return functions.error();
  for (std::size_t i : *functions) {
    for (const Cpmu& c : machine.functions[i].cpmus) out.push_back({&machine.functions[i], &c});
  }
  if (out.empty() && !text.empty()) return Error(Errc::kNotFound, fmt::format("{} has no CPMU", text));
  return out;
}

std::string cpmu_name(const Selected& s) {
  return CpmuName{s.function->info.address, s.cpmu->instance}.to_string();
}

std::string raw_code(const EventCode& code) {
  return fmt::format("vid={:#06x},gid={:#06x},mask={:#x}", code.vid, code.gid, code.mask);
}

void print_text(const EventCatalogue& catalogue, const Selected& s, bool metrics) {
  const CpmuCapabilities& caps = *s.cpmu->capabilities;
  fmt::print("{}  {}  ({} counters x {} bit)\n", cpmu_name(s), function_heading(*s.function), caps.counter_count,
             caps.counter_width);
  const CpmuEventCapabilities countable_caps = countable_capabilities(caps);
  const EventCatalogue::Countable countable = catalogue.countable(countable_caps);
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
  for (const EventCode& code : unnamed_codes(catalogue, countable_caps)) {
    fmt::print("  not in the catalogue:\n    {}\n", raw_code(code));
  }
  if (metrics && !countable.metrics.empty()) {
    fmt::print("  metrics:\n");
    for (const EventCatalogue::CountableMetric& m : countable.metrics) {
      fmt::print("    {:<32} {:<22} {}\n", m.metric->name, "[" + std::string(unit_name(m.metric->unit)) + "]", m.metric->description);
    }
  }
}

int run(const EventsOptions& options) {
  auto view = open_machine_view(options.platform, options.roots);
  if (!view) {
    fmt::print(stderr, "cpmu events: {}\n", view.error().message());
    return kExitUsage;
  }
  auto selected = select_cpmus(view->machine, options.cpmu);
  if (!selected) {
    fmt::print(stderr, "cpmu events: {}\n", selected.error().message());
    return kExitUsage;
  }
  CatalogueLoad load = load_event_catalogue(default_event_search_path());
  for (const Error& issue : load.issues) fmt::print(stderr, "cpmu events: warning: {}\n", issue.message());
  if (selected->empty()) {
    std::string note = unprivileged_note(*view);
    fmt::print(stderr, "cpmu events: no CPMU found{}{}\n", note.empty() ? "" : ": ", note);
  }

  int status = kExitOk;
  json::EventsDocument document{&load.catalogue, {}, options.metrics};
  for (const Selected& s : *selected) {
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
  options->platform.add_to(sub);
  sub.add_option("CPMU", options->cpmu,
                 "Which CPMU: BDF/N (e.g. 0000:0d:00.0/0), a function (BDF or memX) for all its CPMUs; "
                 "default: every CPMU");
  sub.add_flag("--json", options->json, "JSON output (the events document of cpmu(1) JSON OUTPUT)");
  sub.add_flag("--metrics", options->metrics, "Also list the derived metrics each CPMU can compute");
  return [options] { return run(*options); };
}

}  // namespace cpmu::cli
