// The table of built-in platform backends, in the style of libpci's access
// methods: a name to select it, a line of help, a factory.
#include <fmt/format.h>

#include "cpmu/platform.hpp"
#include "platform/dump_platform.hpp"
#include "platform/linux_platform.hpp"

namespace cpmu {

const std::vector<PlatformBackend>& platform_backends() {
  static const std::vector<PlatformBackend> backends = {
      {"linux", "this machine: libpci over sysfs (sysfs_root, default /sys/bus/pci), BARs via resource files",
       &detail::LinuxPlatform::open},
      {"dump", "an lspci -xxxx text dump (dump_file): config space only, read-only", &detail::DumpPlatform::open},
  };
  return backends;
}

Result<std::unique_ptr<Platform>> open_platform(const PlatformOptions& options) {
  std::string known;
  for (const PlatformBackend& backend : platform_backends()) {
    if (options.backend == backend.name) return backend.open(options);
    known += known.empty() ? backend.name : fmt::format(", {}", backend.name);
  }
  return Error(Errc::kInvalidArgument,
               fmt::format("unknown platform backend '{}'; known backends: {} (the simulator is opened through "
                           "cxlsim)",
                           options.backend, known));
}

}  // namespace cpmu
