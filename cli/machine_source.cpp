#include "machine_source.hpp"

#include <CLI/CLI.hpp>

namespace cpmu::cli {

void MachineSourceOptions::add_to(CLI::App& app) {
  auto* sim = app.add_flag("--sim", sim_, "Use the built-in simulated CXL machine");
  auto* topology =
      app.add_option("--topology", topology_file_, "Use the simulated CXL machine described by the topology JSON FILE")
          ->type_name("FILE");
  auto* dump =
      app.add_option("--dump", dump_file_, "Read config space from FILE (lspci -xxxx text)")->type_name("FILE");
  auto* sysfs =
      app.add_option("--sysfs", sysfs_root_, "PCI sysfs tree to read instead of /sys/bus/pci")->type_name("DIR");
  sim->excludes(topology)->excludes(dump)->excludes(sysfs);
  topology->excludes(dump)->excludes(sysfs);
  dump->excludes(sysfs);
  // Whether they were given is kept here, not asked of the options later:
  // the CLI::App (and its options) may be gone by session_options().
  app.add_option("--cxl-sysfs", roots_.cxl, "Where the kernel's CXL bus is (default /sys/bus/cxl)")
      ->type_name("DIR")
      ->each([this](const std::string&) { cxl_given_ = true; });
  app.add_option("--event-source-sysfs", roots_.event_source,
                 "Where the kernel's perf PMUs are (default /sys/bus/event_source)")
      ->type_name("DIR")
      ->each([this](const std::string&) { event_source_given_ = true; });
}

SessionOptions MachineSourceOptions::session_options() const {
  SessionOptions options;
  PlatformSource& source = options.source;
  if (sim_ || !topology_file_.empty()) {
    source.backend = "sim";
    source.topology_file = topology_file_;
  } else if (!dump_file_.empty()) {
    source.backend = "dump";
    source.dump_file = dump_file_;
  } else {
    source.backend = "linux";
    source.sysfs_root = sysfs_root_;
  }
  // The running machine always has kernel views; another machine only the
  // ones named here.
  if (source.backend == "linux" || cxl_given_ || event_source_given_) options.kernel = roots_;
  return options;
}

Result<std::unique_ptr<Session>> MachineSourceOptions::open() const { return Session::open(session_options()); }

Result<std::unique_ptr<Platform>> MachineSourceOptions::open_platform() const {
  return cpmu::open_platform(session_options().source);
}

}  // namespace cpmu::cli
