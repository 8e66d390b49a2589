// cpmu list: every CXL component of the machine as a tree (or JSON), with
// its CPMUs, DOE mailboxes and kernel names. Exit status: 0 all well, 1 some
// listed function had problems (it is still listed), 2 usage or backend error.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/events.hpp"
#include "cpmu/json.hpp"
#include "cpmu/printable_text.hpp"
#include "cpmu/slot_filter.hpp"
#include "cpmu/topology.hpp"
#include "device_selection.hpp"
#include "list_view.hpp"
#include "machine_source.hpp"

namespace cpmu::cli {

namespace {

struct ListOptions {
  MachineSourceOptions machine;
  std::vector<std::string> selectors;
  bool json = false;
  bool verbose = false;
  bool all = false;
  std::string slot;
  std::string memdev;
  std::string type;
};

bool memdev_matches(const std::string& wanted, const std::string& memdev) {
  return !memdev.empty() && (wanted == memdev || "mem" + wanted == memdev);
}

void print_unprivileged(const std::vector<std::string>& perf_pmus, const std::string& event_source) {
  fmt::print(stderr,
             "cpmu list: extended configuration space needs root (CAP_SYS_ADMIN), so CXL capabilities, "
             "register blocks and CPMUs cannot be read.\n");
  fmt::print("Unprivileged, the kernel's perf interface is what is available ({}/devices/cxl_pmu_*):\n",
             event_source);
  if (perf_pmus.empty()) {
    fmt::print("  none: no cxl_pmu perf PMUs on this machine (the cxl_pmu driver is not loaded, or there are "
               "no CPMUs it handles)\n");
  }
  for (const auto& pmu : perf_pmus) fmt::print("  {}  (count with: perf stat -a -e {}/clock_ticks/)\n", pmu, pmu);
  fmt::print("Run as root for the full listing.\n");
}

bool filtered(const ListOptions& options) {
  return !options.selectors.empty() || !options.slot.empty() || !options.memdev.empty() || !options.type.empty();
}

std::string filter_text(const ListOptions& options) {
  std::string out;
  for (const std::string& selector : options.selectors) out += " " + printable(selector);
  if (!options.slot.empty()) out += " -s " + printable(options.slot);
  if (!options.memdev.empty()) out += " -m " + printable(options.memdev);
  if (!options.type.empty()) out += " -t " + printable(options.type);
  return out;
}

// -m: a kernel memdev, memN or N.
bool valid_memdev(const std::string& text) {
  const std::string digits = text.rfind("mem", 0) == 0 ? text.substr(3) : text;
  return !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
}

int run_list(const ListOptions& options) {
  if (!options.memdev.empty() && !valid_memdev(options.memdev)) {
    fmt::print(stderr, "cpmu list: -m '{}': expected a kernel memdev, memN or N (mem0, 0)\n",
               printable(options.memdev));
    return kExitUsage;
  }
  std::optional<SlotFilter> slot;
  if (!options.slot.empty()) {
    auto parsed = SlotFilter::parse(options.slot);
    if (!parsed) {
      fmt::print(stderr, "cpmu list: {}\n", parsed.error().message());
      return kExitUsage;
    }
    slot = *parsed;
  }
  std::optional<ComponentKind> type;
  if (!options.type.empty()) {
    type = options.type == "other" ? std::optional(ComponentKind::kOther) : parse_component_kind(options.type);
    if (!type) {
      fmt::print(stderr, "cpmu list: -t '{}': expected root-port, upstream-port, downstream-port, endpoint or other\n",
                 printable(options.type));
      return kExitUsage;
    }
  }
  auto opened = options.machine.open();
  if (!opened) {
    fmt::print(stderr, "cpmu list: {}\n", opened.error().message());
    return kExitUsage;
  }
  Session& session = **opened;
  const DiscoveredMachine* machine = &session.machine();
  const Topology& topology = session.topology();
  std::vector<bool> named(machine->functions.size(), options.selectors.empty());
  if (!options.selectors.empty()) {
    auto chosen = select_functions(*machine, options.selectors, nullptr);
    if (!chosen) {
      fmt::print(stderr, "cpmu list: {}\n", chosen.error().message());
      return kExitUsage;
    }
    for (std::size_t i : *chosen) named[i] = true;
  }

  const std::size_t n = machine->functions.size();
  ListView view;
  view.machine = machine;
  view.topology = &topology;
  view.perf_pmus = session.kernel().perf_pmus;   // the kernel's: only the running machine has them
  view.verbose = options.verbose;
  view.selected.assign(n, false);
  view.shown.assign(n, false);
  bool problems = !machine->problems.empty();
  std::size_t selected = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& fn = machine->functions[i];
    // A function named by a selector is shown whatever it is.
    bool interesting = options.all || !options.selectors.empty() || fn.is_cxl() || fn.memory_device ||
                       !fn.problems.empty();
    if (!interesting || !named[i] || (slot && !slot->matches(fn.info.address)) || (type && fn.kind != *type) ||
        (!options.memdev.empty() && !memdev_matches(options.memdev, fn.memdev))) {
      continue;
    }
    view.selected[i] = true;
    ++selected;
    problems = problems || !fn.problems.empty();
    for (std::optional<std::size_t> at = i; at; at = topology.parent[*at]) view.shown[*at] = true;
  }
  if (options.verbose || options.json) view.catalogue = &session.catalogue().catalogue;

  if (options.json) {
    fmt::print("{}", json::encode_machine({view.machine, view.topology, view.selected, view.perf_pmus, view.catalogue}));
  } else if (machine->config_access_denied) {
    print_unprivileged(view.perf_pmus, session.kernel_roots().event_source);
  } else {
    fmt::print("{}", render_list_tree(view));
    if (selected == 0 && !filtered(options)) {
      fmt::print(stderr, "cpmu list: no {}functions found ({} PCI functions looked at{})\n",
                 options.all ? "" : "CXL ", n, options.all ? "" : "; --all lists every one");
    }
  }
  // A filter that leaves nothing is said, and is not success: the listing
  // the user asked for is empty.
  if (selected == 0 && filtered(options)) {
    fmt::print(stderr, "cpmu list: no {}function matches{} ({} PCI functions looked at)\n", options.all ? "" : "CXL ",
               filter_text(options), n);
    return kExitPartial;
  }
  return problems ? kExitPartial : kExitOk;
}

}  // namespace

Runner setup_list(CLI::App& app) {
  auto options = std::make_shared<ListOptions>();
  options->machine.add_to(app);
  app.add_option("SELECTOR", options->selectors,
                 "Only these functions: selectors (cpmu(1) SELECTORS: 0d:00.0, mem0, endpoint, mem*, ...)")
      ->type_name("SELECTOR ...");
  app.add_flag("--json", options->json, "Print JSON (the machine document of docs/json-output.md) instead of a tree");
  app.add_flag("-v,--verbose", options->verbose, "Also show DVSECs, register blocks, DOE registers, and each "
                                                 "CPMU's event capabilities and counter table");
  app.add_flag("-a,--all", options->all, "List every PCI function, not only CXL ones");
  app.add_option("-s,--slot", options->slot, "Only functions in [[[[domain]:]bus]:][slot][.[func]] (as lspci -s)")
      ->type_name("SLOT");
  app.add_option("-m,--memdev", options->memdev, "Only the function of this kernel memdev (mem0 or 0)")
      ->type_name("MEMDEV");
  app.add_option("-t,--type", options->type, "Only this kind: root-port, upstream-port, downstream-port, endpoint, other")
      ->type_name("TYPE");
  return [options] { return run_list(*options); };
}

}  // namespace cpmu::cli
