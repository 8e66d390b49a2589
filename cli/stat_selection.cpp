#include "stat_selection.hpp"

#include <fmt/format.h>

#include <map>
#include <regex>

#include "cpmu/counter_scheduler.hpp"
#include "cpmu/perf_event_list.hpp"
#include "cpmu/printable_text.hpp"
#include "cpmu/selector.hpp"
#include "cpmu/session.hpp"
#include "cpmu/slot_filter.hpp"

namespace cpmu::cli {

namespace {

// The event-term grammar keeps '/' for PMU/terms/ and allows no ':' in a PMU
// name, so a CPMU name such as 0000:0d:00.0/0 is handed to it in a stand-in
// spelling of the same length (0000-0d-00.0.0): positions in its messages
// then still point into what the user wrote.
struct CpmuPrefixes {
  std::string text;                               // the argument with stand-ins
  std::map<std::string, std::string> originals;   // stand-in -> CPMU name as written
};

CpmuPrefixes stand_in_cpmu_prefixes(const std::string& argument) {
  static const std::regex kPrefix(
      R"((^|[,{])(\s*)((?:[0-9A-Fa-f]{1,4}:)?[0-9A-Fa-f]{1,2}:[0-9A-Fa-f]{1,2}\.[0-7]/[0-9]+)/)");
  CpmuPrefixes out{argument, {}};
  for (auto it = std::sregex_iterator(argument.begin(), argument.end(), kPrefix); it != std::sregex_iterator(); ++it) {
    const auto& name = (*it)[3];
    std::string stand_in = name.str();
    for (char& c : stand_in) {
      if (c == ':') c = '-';
      if (c == '/') c = '.';
    }
    out.text.replace(static_cast<std::size_t>(name.first - argument.begin()), stand_in.size(), stand_in);
    out.originals[stand_in] = name.str();
  }
  // A PMU glob (cxl_pmu_mem*/clock_ticks/) selects every CPMU it matches;
  // the term grammar has no glob characters, so '*' and '?' stand in as '_'.
  static const std::regex kGlob(R"((^|[,{\s])([A-Za-z_][A-Za-z0-9_.]*[*?][A-Za-z0-9_.*?]*)/)");
  const std::string text = out.text;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kGlob); it != std::sregex_iterator(); ++it) {
    const auto& name = (*it)[2];
    std::string stand_in = name.str();
    for (char& c : stand_in) {
      if (c == '*' || c == '?') c = '_';
    }
    out.text.replace(static_cast<std::size_t>(name.first - text.begin()), stand_in.size(), stand_in);
    out.originals[stand_in] = name.str();
  }
  return out;
}

std::string restore(std::string text, const CpmuPrefixes& prefixes) {
  for (const auto& [stand_in, original] : prefixes.originals) {
    for (auto at = text.find(stand_in); at != std::string::npos; at = text.find(stand_in, at + original.size())) {
      text.replace(at, stand_in.size(), original);
    }
  }
  return text;
}

std::optional<Unit> unit_of(const EventTerm& term, const EventCatalogue& catalogue) {
  if (term.name.empty()) return std::nullopt;
  const EventInfo* event = catalogue.find_event(term.name.substr(0, term.name.find('+')));
  return event ? std::optional(event->unit) : std::nullopt;
}

}  // namespace

CountRequest StatTerm::request() const {
  CountRequest r;
  r.label = label;
  r.event.code = term.code;
  r.event.threshold = term.threshold;
  r.event.edge = term.edge;
  r.event.invert = term.invert;
  if (term.hdm) r.event.hdm_decoder = *term.hdm;
  r.group = group;
  return r;
}

Result<std::vector<StatTerm>> parse_stat_terms(const std::vector<std::string>& arguments,
                                               const EventCatalogue& catalogue) {
  std::vector<StatTerm> out;
  unsigned groups_before = 0;  // {...} groups of earlier -e values
  for (const std::string& argument : arguments) {
    const auto shared = std::make_shared<const std::string>(argument);
    const CpmuPrefixes prefixes = stand_in_cpmu_prefixes(argument);
    auto parts = split_perf_event_list(prefixes.text);
    if (!parts) {
      return Error(Errc::kInvalidArgument,
                   fmt::format("-e '{}': {}", printable(argument), printable_message(parts.error().message())));
    }
    std::size_t cursor = 0;
    unsigned groups_here = 0;
    for (const PerfEventListPart& part : *parts) {
      auto parsed = parse_event_terms(part.text, catalogue);
      if (!parsed) {
        return Error(Errc::kInvalidArgument,
                     fmt::format("-e '{}': {}", printable(argument),
                                 printable_message(restore(parsed.error().message(), prefixes))));
      }
      if (part.group) groups_here = std::max(groups_here, *part.group + 1);
      for (EventTerm& term : *parsed) {
        StatTerm stat;
        if (part.group) stat.group = groups_before + *part.group;
        term.text = restore(term.text, prefixes);
        term.pmu = restore(term.pmu, prefixes);
        const std::size_t at = argument.find(term.text, cursor);
        stat.position = (at == std::string::npos ? cursor : at) + 1;
        cursor = at == std::string::npos ? cursor : at + term.text.size();
        stat.argument = shared;
        stat.pmu = term.pmu;
        stat.label = term.pmu.empty() ? term.text
                                      : term.text.substr(term.pmu.size() + 1, term.text.size() - term.pmu.size() - 2);
        stat.unit = unit_of(term, catalogue);
        stat.term = std::move(term);
        out.push_back(std::move(stat));
      }
    }
    groups_before += groups_here;
  }
  return out;
}

Result<std::vector<StatCandidate>> plan_stat(const DiscoveredMachine& machine, const std::vector<StatTerm>& terms,
                                             const CpmuFilters& filters) {
  std::optional<SlotFilter> slot;
  if (!filters.slot.empty()) {
    auto parsed = SlotFilter::parse(filters.slot);
    if (!parsed) return parsed.error();
    slot = *parsed;
  }
  std::vector<CpmuRef> named;
  if (!filters.cpmus.empty()) {
    auto found = select_cpmus(machine, filters.cpmus);
    if (!found) return Error(Errc::kInvalidArgument, "--cpmu " + found.error().message());
    named = std::move(*found);
  }
  std::optional<Selector> memdev;
  if (!filters.memdev.empty()) {
    auto parsed = Selector::parse(filters.memdev);
    if (!parsed) return Error(Errc::kInvalidArgument, "-m " + parsed.error().message());
    memdev = std::move(*parsed);
  }
  // Per term: the CPMUs its PMU prefix names, or none for an unprefixed term.
  std::vector<std::optional<std::vector<CpmuRef>>> term_cpmus;
  for (const StatTerm& t : terms) {
    if (t.pmu.empty()) {
      term_cpmus.emplace_back();
      continue;
    }
    auto found = select_cpmus(machine, {t.pmu});
    if (!found) {
      return Error(Errc::kInvalidArgument,
                   fmt::format("-e '{}': event term '{}' at position {}: {}", printable(*t.argument), t.term.text,
                               t.position, found.error().message()));
    }
    term_cpmus.emplace_back(std::move(*found));
  }
  const bool narrowed = slot || memdev || !named.empty();
  auto chosen = [&](const CpmuRef& ref) {
    const DiscoveredFunction& function = machine.functions[ref.function];
    if (slot && !slot->matches(function.info.address)) return false;
    if (memdev && !memdev->matches(function, function.cpmus[ref.cpmu])) return false;
    if (!named.empty() && std::find(named.begin(), named.end(), ref) == named.end()) return false;
    return true;  // no filter at all: every CPMU, as -a (perf counts uncore events system-wide)
  };

  std::vector<StatCandidate> out;
  bool any_chosen = false;
  for (std::size_t f = 0; f < machine.functions.size(); ++f) {
    const DiscoveredFunction& function = machine.functions[f];
    for (std::size_t c = 0; c < function.cpmus.size(); ++c) {
      const Cpmu& cpmu = function.cpmus[c];
      const CpmuRef ref{f, c};
      StatCandidate candidate;
      candidate.cpmu = ref;
      candidate.name = CpmuName{function.info.address, cpmu.instance};
      const bool by_filter = chosen(ref);
      any_chosen = any_chosen || by_filter;
      candidate.explicit_choice = by_filter && narrowed;
      for (std::size_t t = 0; t < terms.size(); ++t) {
        const auto& prefixed = term_cpmus[t];
        const bool mine =
            prefixed ? std::find(prefixed->begin(), prefixed->end(), ref) != prefixed->end() : by_filter;
        if (!mine) continue;
        candidate.terms.push_back(t);
        candidate.explicit_choice = candidate.explicit_choice || prefixed.has_value();
      }
      if (candidate.terms.empty()) continue;
      const BackendDecision decision = decide_backend(cpmu, filters.backend);
      candidate.backend = decision.backend;
      if (decision.backend.empty()) candidate.unusable = decision.reason;
      std::vector<CountRequest> requests;
      for (std::size_t t : candidate.terms) requests.push_back(terms[t].request());
      candidate.plan = predict_plan(cpmu, requests, filters.backend);
      // Unusable here, the registers' schedule still shows what it could count.
      if (!candidate.plan && cpmu.capabilities) candidate.plan = plan_counts(*cpmu.capabilities, requests);
      out.push_back(std::move(candidate));
    }
  }
  if (narrowed && !any_chosen) {
    std::string what;
    if (!filters.slot.empty()) what += " -s " + filters.slot;
    if (!filters.memdev.empty()) what += " -m " + filters.memdev;
    for (const std::string& name : filters.cpmus) what += " --cpmu " + name;
    return Error(Errc::kInvalidArgument,
                 fmt::format("no CPMU matches{} (CPMUs here: {})", what, cpmu_candidates(machine)));
  }
  return out;
}

}  // namespace cpmu::cli
