// Selectors: the one grammar every command and front end uses to name PCI
// functions and CPMUs. A selector is one of (man cpmu(1), SELECTORS):
//
//   0000:0d:00.0  0d:00.0     a function, with or without its domain (0)
//   0d:00.0/1                 CPMU 1 of that function
//   mem0  0                   the kernel's memdev (a bare number N means memN)
//   endpoint3  port2          the kernel's CXL endpoint or port object
//   cxl_pmu_mem0.0            the kernel's perf PMU of one CPMU (or pmu_mem0.0,
//                             its device)
//   root-port  upstream-port  downstream-port  endpoint
//                             every component of that kind
//   a glob of any name above  mem*, 0000:0d:*, cxl_pmu_mem*, */1
//
// A function selector chooses all of its CPMUs where CPMUs are wanted.
#pragma once

#include "cpmu/export.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/discovered_machine.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

// One CPMU of a discovered machine, by position.
struct CpmuRef {
  std::size_t function = 0;   // index into DiscoveredMachine::functions
  std::size_t cpmu = 0;       // index into that function's cpmus
  auto operator<=>(const CpmuRef&) const = default;
};

class CPMU_API Selector {
 public:
  // Fails (kInvalidArgument) on an empty selector or a malformed address.
  static Result<Selector> parse(std::string_view text);

  const std::string& text() const { return text_; }
  bool is_glob() const { return glob_; }
  bool matches(const DiscoveredFunction& function) const;
  bool matches(const DiscoveredFunction& function, const Cpmu& cpmu) const;

 private:
  enum class Form { kFunction, kCpmu, kKernelName, kKind, kGlob };
  std::string text_;
  Form form_ = Form::kGlob;
  bool glob_ = false;
  std::optional<PciAddress> address_;
  unsigned instance_ = 0;
  ComponentKind kind_ = ComponentKind::kOther;
};

// The kind spellings selectors take: "root-port", "upstream-port",
// "downstream-port", "endpoint" (nullopt for anything else).
CPMU_API std::optional<ComponentKind> parse_component_kind(std::string_view text);

// Every CPMU any of `selectors` matches, in machine order, each once. An
// empty list selects every CPMU. A selector that matches nothing fails
// (kNotFound) with a message listing the machine's CPMUs.
CPMU_API Result<std::vector<CpmuRef>> select_cpmus(const DiscoveredMachine& machine, const std::vector<std::string>& selectors);

// The same for functions; an empty list selects those `fallback` accepts
// (every function when it is null).
CPMU_API Result<std::vector<std::size_t>> select_functions(const DiscoveredMachine& machine,
                                                  const std::vector<std::string>& selectors,
                                                  bool (*fallback)(const DiscoveredFunction&));

// Exactly one CPMU: a selector that matches several fails (kInvalidArgument)
// naming them, so that a command never silently picks one.
CPMU_API Result<CpmuRef> select_one_cpmu(const DiscoveredMachine& machine, std::string_view selector);

// "0000:0d:00.0/0 (cxl_pmu_mem0.0), ..." or "none found": the candidates an
// error lists.
CPMU_API std::string cpmu_candidates(const DiscoveredMachine& machine);

}  // namespace cpmu
