#include "cpmu/selector.hpp"
#include "cpmu/printable_text.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>

#include "cpmu/cpmu_name.hpp"

namespace cpmu {
namespace {

bool is_glob_text(std::string_view text) { return text.find_first_of("*?[") != std::string_view::npos; }

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool glob_match(const std::string& pattern, const std::string& name) {
  return !name.empty() && ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

// Every name a function answers to, for globs: its address with and
// without the domain, and its kernel names.
std::vector<std::string> function_names(const DiscoveredFunction& f) {
  std::string full = f.info.address.to_string();
  std::vector<std::string> names = {full, full.substr(5), f.memdev, f.cxl_endpoint, f.cxl_port};
  return names;
}

bool kernel_name_matches(std::string_view text, const DiscoveredFunction& f) {
  for (const std::string* name : {&f.memdev, &f.cxl_endpoint, &f.cxl_port}) {
    if (!name->empty() && text == *name) return true;
  }
  return all_digits(text) && !f.memdev.empty() && f.memdev == "mem" + std::string(text);
}

std::string function_candidates(const DiscoveredMachine& machine, bool (*fallback)(const DiscoveredFunction&)) {
  std::string out;
  for (const DiscoveredFunction& f : machine.functions) {
    if (fallback && !fallback(f)) continue;
    out += (out.empty() ? "" : ", ") + f.info.address.to_string();
    if (!f.memdev.empty()) out += " (" + f.memdev + ")";
  }
  return out.empty() ? "none found" : out;
}

}  // namespace

std::optional<ComponentKind> parse_component_kind(std::string_view text) {
  for (ComponentKind kind : {ComponentKind::kRootPort, ComponentKind::kSwitchUpstreamPort,
                             ComponentKind::kSwitchDownstreamPort, ComponentKind::kEndpoint}) {
    if (component_kind_name(kind) == text) return kind;
  }
  return std::nullopt;
}

Result<Selector> Selector::parse(std::string_view text) {
  Selector s;
  s.text_ = std::string(text);
  if (text.empty()) return Error(Errc::kInvalidArgument, "an empty selector names nothing");
  if (is_glob_text(text)) {
    s.form_ = Form::kGlob;
    s.glob_ = true;
    return s;
  }
  if (auto kind = parse_component_kind(text)) {
    s.form_ = Form::kKind;
    s.kind_ = *kind;
    return s;
  }
  // An address has ':' (a kernel name never does); with '/N' it is a CPMU.
  if (text.find(':') != std::string_view::npos) {
    if (text.find('/') != std::string_view::npos) {
      auto name = CpmuName::parse(text);
      if (!name)
        return Error(Errc::kInvalidArgument, fmt::format("selector '{}': {}", printable(text), name.error().message()));
      s.form_ = Form::kCpmu;
      s.address_ = name->function;
      s.instance_ = name->instance;
      return s;
    }
    auto address = PciAddress::parse(text);
    if (!address) {
      return Error(Errc::kInvalidArgument,
                   fmt::format("selector '{}': {}", printable(text), address.error().message()));
    }
    s.form_ = Form::kFunction;
    s.address_ = *address;
    return s;
  }
  s.form_ = Form::kKernelName;
  return s;
}

bool Selector::matches(const DiscoveredFunction& f) const {
  switch (form_) {
    case Form::kFunction: return f.info.address == *address_;
    case Form::kCpmu: return false;
    case Form::kKind: return f.kind == kind_;
    case Form::kKernelName: return kernel_name_matches(text_, f);
    case Form::kGlob: {
      const auto names = function_names(f);
      return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return glob_match(text_, n); });
    }
  }
  return false;
}

bool Selector::matches(const DiscoveredFunction& f, const Cpmu& c) const {
  switch (form_) {
    case Form::kCpmu: return f.info.address == *address_ && c.instance == instance_;
    case Form::kKernelName:
      // cxl_pmu_memX.Y names the CPMU whether or not the cxl_pmu driver is
      // bound: its device pmu_memX.Y exists either way.
      if (text_ == c.perf_pmu || text_ == c.kernel_device ||
          (!c.kernel_device.empty() && text_ == "cxl_" + c.kernel_device)) {
        return true;
      }
      return matches(f);
    case Form::kGlob: {
      const std::string full = CpmuName{f.info.address, c.instance}.to_string();
      for (const std::string& name : {full, full.substr(5), c.perf_pmu, c.kernel_device}) {
        if (glob_match(text_, name)) return true;
      }
      return matches(f);
    }
    case Form::kFunction:
    case Form::kKind: return matches(f);
  }
  return false;
}

std::string cpmu_candidates(const DiscoveredMachine& machine) {
  std::string out;
  for (const DiscoveredFunction& f : machine.functions) {
    for (const Cpmu& c : f.cpmus) {
      out += (out.empty() ? "" : ", ") + CpmuName{f.info.address, c.instance}.to_string();
      if (!c.perf_pmu.empty()) out += " (" + c.perf_pmu + ")";
    }
  }
  return out.empty() ? "none found" : out;
}

Result<std::vector<CpmuRef>> select_cpmus(const DiscoveredMachine& machine, const std::vector<std::string>& selectors) {
  std::vector<Selector> parsed;
  for (const std::string& text : selectors) {
    auto s = Selector::parse(text);
    if (!s) return s.error();
    parsed.push_back(std::move(*s));
  }
  std::vector<CpmuRef> out;
  std::vector<bool> used(parsed.size(), false);
  for (std::size_t f = 0; f < machine.functions.size(); ++f) {
    const DiscoveredFunction& function = machine.functions[f];
    for (std::size_t c = 0; c < function.cpmus.size(); ++c) {
      bool chosen = parsed.empty();
      for (std::size_t i = 0; i < parsed.size(); ++i) {
        if (parsed[i].matches(function, function.cpmus[c])) chosen = used[i] = true;
      }
      if (chosen) out.push_back({f, c});
    }
  }
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (!used[i]) {
      return Error(Errc::kNotFound, fmt::format("'{}' matches no CPMU (CPMUs here: {})", printable(parsed[i].text()),
                                                cpmu_candidates(machine)));
    }
  }
  return out;
}

Result<std::vector<std::size_t>> select_functions(const DiscoveredMachine& machine,
                                                  const std::vector<std::string>& selectors,
                                                  bool (*fallback)(const DiscoveredFunction&)) {
  std::vector<Selector> parsed;
  for (const std::string& text : selectors) {
    auto s = Selector::parse(text);
    if (!s) return s.error();
    parsed.push_back(std::move(*s));
  }
  std::vector<std::size_t> out;
  std::vector<bool> used(parsed.size(), false);
  for (std::size_t f = 0; f < machine.functions.size(); ++f) {
    const DiscoveredFunction& function = machine.functions[f];
    bool chosen = parsed.empty() && (fallback == nullptr || fallback(function));
    for (std::size_t i = 0; i < parsed.size(); ++i) {
      // A CPMU selector chooses the function that has the CPMU.
      const bool hit = parsed[i].matches(function) ||
                       std::any_of(function.cpmus.begin(), function.cpmus.end(),
                                   [&](const Cpmu& c) { return parsed[i].matches(function, c); });
      if (hit) chosen = used[i] = true;
    }
    if (chosen) out.push_back(f);
  }
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (!used[i]) {
      return Error(Errc::kNotFound, fmt::format("'{}' matches no PCI function (functions here: {})",
                                                printable(parsed[i].text()), function_candidates(machine, fallback)));
    }
  }
  return out;
}

Result<CpmuRef> select_one_cpmu(const DiscoveredMachine& machine, std::string_view selector) {
  auto found = select_cpmus(machine, {std::string(selector)});
  if (!found) return found.error();
  if (found->size() == 1) return found->front();
  std::string names;
  for (const CpmuRef& ref : *found) {
    const DiscoveredFunction& f = machine.functions[ref.function];
    names += (names.empty() ? "" : ", ") + CpmuName{f.info.address, f.cpmus[ref.cpmu].instance}.to_string();
  }
  return Error(Errc::kInvalidArgument,
               fmt::format("'{}' is ambiguous: it matches {} CPMUs ({}); name one, e.g. as BDF/N", printable(selector),
                           found->size(), names));
}

}  // namespace cpmu
