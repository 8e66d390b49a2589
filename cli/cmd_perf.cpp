// cpmu perf events [CPMU]: for every CPMU the kernel exposes as a perf PMU
// (cxl_pmu_memX.Y), the perf event string of each catalogue event it can
// count, ready to paste into `perf stat -a -e`.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "command.hpp"
#include "cpmu/cpmu_name.hpp"
#include "cpmu/perf_event_strings.hpp"
#include "cpmu/perf_pmu.hpp"
#include "machine_source.hpp"

namespace cpmu::cli {
namespace {

struct PerfOptions {
  MachineSourceOptions machine;
  std::string cpmu;  // a selector; empty = every CPMU
  CLI::App* events = nullptr;
};

int run_events(const PerfOptions& options) {
  auto opened = options.machine.open();
  if (!opened) {
    fmt::print(stderr, "cpmu perf events: {}\n", opened.error().message());
    return kExitUsage;
  }
  Session& session = **opened;
  auto refs = select_cpmus(session.machine(),
                           options.cpmu.empty() ? std::vector<std::string>{} : std::vector<std::string>{options.cpmu});
  if (!refs) {
    fmt::print(stderr, "cpmu perf events: {}\n", refs.error().message());
    return kExitUsage;
  }
  const EventCatalogue& catalogue = session.catalogue().catalogue;
  const std::string& root = session.kernel_roots().event_source;
  int status = kExitOk;
  unsigned shown = 0;
  for (const CpmuRef& ref : *refs) {
    const DiscoveredFunction& function = session.machine().functions[ref.function];
    const Cpmu& cpmu = function.cpmus[ref.cpmu];
    auto name = find_cxl_perf_pmu(root, function.info.address, cpmu.instance);
    if (!name && !cpmu.perf_pmu.empty()) name = cpmu.perf_pmu;
    if (!name) continue;  // the kernel does not drive it: no perf event exists
    auto pmu = read_perf_pmu(root + "/devices/" + *name);
    if (!pmu) {
      fmt::print(stderr, "cpmu perf events: {}\n", pmu.error().message());
      status = kExitPartial;
      continue;
    }
    fmt::print("{} ({}):\n", *name, CpmuName{function.info.address, cpmu.instance}.to_string());
    for (const PerfEventString& s : perf_event_strings(*pmu, catalogue, cpmu.capabilities)) {
      fmt::print("  {:<52} {}\n", s.perf, s.event);
    }
    ++shown;
  }
  if (shown == 0) {
    fmt::print(stderr,
               "cpmu perf events: the kernel exposes no cxl_pmu PMU for {} under {}/devices (is the cxl_pmu module "
               "loaded?)\n",
               options.cpmu.empty() ? "any CPMU" : options.cpmu, root);
    return kExitPartial;
  }
  return status;
}

}  // namespace

Runner setup_perf(CLI::App& app) {
  auto options = std::make_shared<PerfOptions>();
  app.require_subcommand(1);
  options->events = app.add_subcommand(
      "events", "Print the perf event string of every catalogue event each kernel-driven CPMU can count");
  options->machine.add_to(*options->events);
  options->events->add_option("cpmu", options->cpmu, "Only this CPMU (a selector: cxl_pmu_mem0.0, 0f:00.0/0, ...)")
      ->type_name("CPMU");
  return [options] { return run_events(*options); };
}

}  // namespace cpmu::cli
