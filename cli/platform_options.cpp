#include "platform_options.hpp"

#include <CLI/CLI.hpp>

namespace cpmu::cli {

void PlatformOptions::add_to(CLI::App& app) {
  auto* dump = app.add_option("--dump", dump_file_, "Read config space from FILE (lspci -xxxx text)")
                   ->type_name("FILE");
  auto* sysfs = app.add_option("--sysfs", sysfs_root_, "PCI sysfs tree to read instead of /sys/bus/pci")
                    ->type_name("DIR");
  dump->excludes(sysfs);
}

Result<std::unique_ptr<Platform>> PlatformOptions::open() const {
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
