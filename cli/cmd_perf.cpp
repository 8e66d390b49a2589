// cpmu perf events [CPMU]: for every CPMU the kernel exposes as a perf PMU
// (cxl_pmu_memX.Y), the perf event string of each catalogue event it can
// count, ready to paste into `perf stat -a -e`.
// cpmu perf json -o DIR: the catalogue as perf's pmu-events JSON.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <sys/utsname.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "command.hpp"
#include "cpmu/cpmu_name.hpp"
#include "cpmu/perf_event_strings.hpp"
#include "cpmu/perf_pmu.hpp"
#include "cpmu/pmu_events_json.hpp"
#include "machine_source.hpp"

namespace cpmu::cli {
namespace {

struct PerfOptions {
  MachineSourceOptions machine;
  std::string cpmu;  // a selector; empty = every CPMU
  CLI::App* events = nullptr;
  CLI::App* json = nullptr;
  std::string output_dir;
  std::string arch;  // empty: this machine's
};

// perf's name for this machine's architecture directory.
std::string machine_arch() {
  utsname u{};
  if (::uname(&u) != 0) return "x86";
  const std::string m = u.machine;
  if (m == "x86_64" || m == "i686" || m == "i386") return "x86";
  if (m == "aarch64") return "arm64";
  if (m.rfind("riscv", 0) == 0) return "riscv";
  return m;
}

int run_json(const PerfOptions& options) {
  const CatalogueLoad load = load_event_catalogue(default_event_search_path());
  for (const Error& issue : load.issues) fmt::print(stderr, "cpmu perf json: warning: {}\n", issue.message());
  namespace fs = std::filesystem;
  for (const PmuEventsFile& file :
       pmu_events_json(load.catalogue, options.arch.empty() ? machine_arch() : options.arch)) {
    const fs::path path = fs::path(options.output_dir) / file.path;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::trunc);
    out << file.text;
    out.close();
    if (ec || !out) {
      fmt::print(stderr, "cpmu perf json: cannot write {}: {}\n", path.string(),
                 ec ? ec.message() : std::strerror(errno));
      return kExitPartial;
    }
    fmt::print("{}\n", path.string());
  }
  return kExitOk;
}

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
  options->json = app.add_subcommand("json", "Write the catalogue's events and metrics as perf pmu-events JSON");
  options->json->add_option("-o,--output", options->output_dir, "The directory to write into")
      ->required()
      ->type_name("DIR");
  options->json->add_option("--arch", options->arch, "perf's architecture directory (default: this machine's)")
      ->type_name("ARCH");
  return [options] { return options->json->parsed() ? run_json(*options) : run_events(*options); };
}

}  // namespace cpmu::cli
