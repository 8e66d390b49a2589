#include "platform_options.hpp"

#include <CLI/CLI.hpp>

#include <optional>

#include "cxlsim/sim_platform.hpp"

namespace cpmu::cli {

void PlatformOptions::add_to(CLI::App& app) {
  sim_ = app.add_option("--sim", sim_file_,
                        "Use the simulated CXL machine: the built-in one, or the one in the topology JSON FILE")
             ->expected(0, 1)
             ->type_name("[FILE]");
  auto* dump = app.add_option("--dump", dump_file_, "Read config space from FILE (lspci -xxxx text)")
                   ->type_name("FILE");
  auto* sysfs = app.add_option("--sysfs", sysfs_root_, "PCI sysfs tree to read instead of /sys/bus/pci")
                    ->type_name("DIR");
  sim_->excludes(dump)->excludes(sysfs);
  dump->excludes(sysfs);
}

Result<std::unique_ptr<Platform>> PlatformOptions::open() const {
  if (sim_ != nullptr && sim_->count() > 0) {
    // A front end shows the simulated machine live, so its clock is the wall clock.
    auto file = sim_file_.empty() ? std::nullopt : std::optional<std::string>(sim_file_);
    auto platform = sim::open_sim_platform(file, sim::ClockMode::kReal);
    if (!platform) return platform.error();
    return std::unique_ptr<Platform>(std::move(*platform));
  }
  cpmu::PlatformOptions options;
  if (!dump_file_.empty()) {
    options.backend = "dump";
    options.dump_file = dump_file_;
  } else {
    options.backend = "linux";
    options.sysfs_root = sysfs_root_;
  }
  return open_platform(options);
}

}  // namespace cpmu::cli
