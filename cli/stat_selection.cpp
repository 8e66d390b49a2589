#include "stat_selection.hpp"

#include <fmt/format.h>

#include <map>
#include <regex>

#include "cpmu/counter_scheduler.hpp"
#include "slot_filter.hpp"

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
      R"((^|,)(\s*)((?:[0-9A-Fa-f]{1,4}:)?[0-9A-Fa-f]{1,2}:[0-9A-Fa-f]{1,2}\.[0-7]/[0-9]+)/)");
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

std::string cpmu_list(const DiscoveredMachine& machine) {
  std::string out;
  for (const DiscoveredFunction& f : machine.functions) {
    for (const Cpmu& c : f.cpmus) {
      out += (out.empty() ? "" : ", ") + CpmuName{f.info.address, c.instance}.to_string();
      if (!c.perf_pmu.empty()) out += " (" + c.perf_pmu + ")";
    }
  }
  return out.empty() ? "none found" : out;
}

// The CPMU a name means: a cpmu name (0000:0d:00.0/0) or a perf PMU name.
std::optional<std::pair<std::size_t, std::size_t>> find_cpmu(const DiscoveredMachine& machine, std::string_view name) {
  const auto parsed = CpmuName::parse(name);
  for (std::size_t f = 0; f < machine.functions.size(); ++f) {
    const DiscoveredFunction& function = machine.functions[f];
    for (std::size_t c = 0; c < function.cpmus.size(); ++c) {
      const Cpmu& cpmu = function.cpmus[c];
      const bool same = parsed ? (function.info.address == parsed->function && cpmu.instance == parsed->instance)
                               : (!cpmu.perf_pmu.empty() && cpmu.perf_pmu == name);
      if (same) return std::make_pair(f, c);
    }
  }
  return std::nullopt;
}

std::string why_unusable(const Cpmu& cpmu) {
  if (!cpmu.capabilities) return "capabilities unknown: " + cpmu.capabilities_unknown;
  switch (cpmu.owner.kind) {
    case CpmuOwnerKind::kNone: return {};
    case CpmuOwnerKind::kKernel:
      return fmt::format("owned by the kernel's cxl_pmu driver ({}); count it with perf stat -a -e {}/EVENT/",
                         cpmu.owner.kernel_device, cpmu.perf_pmu.empty() ? "cxl_pmu_memX.Y" : cpmu.perf_pmu);
    case CpmuOwnerKind::kProcess:
      return fmt::format("in use by another cpmu process ({}lock file {})",
                         cpmu.owner.pid ? fmt::format("pid {}, ", *cpmu.owner.pid) : "", cpmu.owner.lock_file);
  }
  return {};
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
  return r;
}

Result<std::vector<StatTerm>> parse_stat_terms(const std::vector<std::string>& arguments,
                                               const EventCatalogue& catalogue) {
  std::vector<StatTerm> out;
  for (const std::string& argument : arguments) {
    const CpmuPrefixes prefixes = stand_in_cpmu_prefixes(argument);
    auto parsed = parse_event_terms(prefixes.text, catalogue);
    if (!parsed) {
      return Error(Errc::kInvalidArgument,
                   fmt::format("-e '{}': {}", argument, restore(parsed.error().message(), prefixes)));
    }
    std::size_t cursor = 0;
    for (EventTerm& term : *parsed) {
      StatTerm stat;
      term.text = restore(term.text, prefixes);
      term.pmu = restore(term.pmu, prefixes);
      const std::size_t at = argument.find(term.text, cursor);
      stat.position = (at == std::string::npos ? cursor : at) + 1;
      cursor = at == std::string::npos ? cursor : at + term.text.size();
      stat.argument = argument;
      stat.pmu = term.pmu;
      stat.label = term.pmu.empty() ? term.text : term.text.substr(term.pmu.size() + 1, term.text.size() - term.pmu.size() - 2);
      stat.unit = unit_of(term, catalogue);
      stat.term = std::move(term);
      out.push_back(std::move(stat));
    }
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
  std::vector<std::pair<std::size_t, std::size_t>> named;
  for (const std::string& name : filters.cpmus) {
    auto found = find_cpmu(machine, name);
    if (!found) {
      return Error(Errc::kInvalidArgument, fmt::format("--cpmu '{}': no such CPMU (expected [DDDD:]BB:DD.F/N or a "
                                                       "perf name cxl_pmu_memX.Y; CPMUs here: {})",
                                                       name, cpmu_list(machine)));
    }
    named.push_back(*found);
  }
  std::vector<std::optional<std::pair<std::size_t, std::size_t>>> term_cpmu;
  bool unprefixed = false;
  for (const StatTerm& t : terms) {
    if (t.pmu.empty()) {
      unprefixed = true;
      term_cpmu.emplace_back();
      continue;
    }
    auto found = find_cpmu(machine, t.pmu);
    if (!found) {
      return Error(Errc::kInvalidArgument,
                   fmt::format("-e '{}': event term '{}' at position {}: no CPMU named '{}' (CPMUs here: {})",
                               t.argument, t.term.text, t.position, t.pmu, cpmu_list(machine)));
    }
    term_cpmu.emplace_back(*found);
  }
  if (unprefixed && !filters.any()) {
    const StatTerm& first = *std::find_if(terms.begin(), terms.end(), [](const StatTerm& t) { return t.pmu.empty(); });
    return Error(Errc::kInvalidArgument,
                 fmt::format("event '{}' names no CPMU: add -a (every CPMU that can count it), -s SLOT, -m MEMDEV or "
                             "--cpmu CPMU, or write it as CPMU/{}/",
                             first.label, first.label));
  }

  const bool narrowed = slot || !filters.memdev.empty() || !named.empty();
  auto chosen = [&](std::size_t f, std::size_t c) {
    const DiscoveredFunction& function = machine.functions[f];
    if (slot && !slot->matches(function.info.address)) return false;
    if (!filters.memdev.empty() && !(function.memdev == filters.memdev ||
                                     (!function.memdev.empty() && function.memdev == "mem" + filters.memdev))) {
      return false;
    }
    if (!named.empty() && std::find(named.begin(), named.end(), std::make_pair(f, c)) == named.end()) return false;
    return filters.any();
  };

  std::vector<StatCandidate> out;
  bool any_chosen = false;
  for (std::size_t f = 0; f < machine.functions.size(); ++f) {
    const DiscoveredFunction& function = machine.functions[f];
    for (std::size_t c = 0; c < function.cpmus.size(); ++c) {
      const Cpmu& cpmu = function.cpmus[c];
      StatCandidate candidate;
      candidate.function = f;
      candidate.cpmu = c;
      candidate.name = CpmuName{function.info.address, cpmu.instance};
      const bool by_filter = chosen(f, c);
      any_chosen = any_chosen || by_filter;
      candidate.explicit_choice = by_filter && narrowed;
      for (std::size_t t = 0; t < terms.size(); ++t) {
        const bool mine = term_cpmu[t] ? *term_cpmu[t] == std::make_pair(f, c) : by_filter;
        if (!mine) continue;
        candidate.terms.push_back(t);
        candidate.explicit_choice = candidate.explicit_choice || term_cpmu[t].has_value();
      }
      if (candidate.terms.empty()) continue;
      candidate.unusable = why_unusable(cpmu);
      if (cpmu.capabilities) {
        std::vector<CountRequest> requests;
        for (std::size_t t : candidate.terms) requests.push_back(terms[t].request());
        candidate.plan = plan_counts(*cpmu.capabilities, requests);
      }
      out.push_back(std::move(candidate));
    }
  }
  if (narrowed && !any_chosen) {
    std::string what;
    if (!filters.slot.empty()) what += " -s " + filters.slot;
    if (!filters.memdev.empty()) what += " -m " + filters.memdev;
    for (const std::string& name : filters.cpmus) what += " --cpmu " + name;
    return Error(Errc::kInvalidArgument,
                 fmt::format("no CPMU matches{} (CPMUs here: {})", what, cpmu_list(machine)));
  }
  return out;
}

}  // namespace cpmu::cli
