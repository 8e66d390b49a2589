// The table of platform backends, in the style of libpci's access methods: a
// name to select it, a line of help, a factory. libcpmu's own are built in;
// a library that brings one (cxlsim) registers it at static initialisation,
// before any thread runs, so that every front end opens every backend the
// same way, by name.
#include <fmt/format.h>

#include <algorithm>

#include "cpmu/platform.hpp"
#include "platform/dump_platform.hpp"
#include "platform/linux_platform.hpp"

namespace cpmu {
namespace {

struct Registry {
  std::vector<PlatformBackend> backends = {
      {"linux", "this machine: libpci over sysfs (sysfs_root, default /sys/bus/pci), BARs via resource files",
       &detail::LinuxPlatform::open, true},
      {"dump", "an lspci -xxxx text dump (dump_file): config space only, read-only", &detail::DumpPlatform::open,
       false},
  };
};

// Constructed on first use, so registrations from other libraries' static
// initialisers find it whatever the initialisation order.
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

const std::vector<PlatformBackend>& platform_backends() { return registry().backends; }

void register_platform_backend(const PlatformBackend& backend) {
  Registry& r = registry();
  auto it = std::find_if(r.backends.begin(), r.backends.end(),
                         [&](const PlatformBackend& b) { return std::string_view(b.name) == backend.name; });
  if (it != r.backends.end()) {
    *it = backend;
  } else {
    r.backends.push_back(backend);
  }
}

const PlatformBackend* find_platform_backend(std::string_view name) {
  for (const PlatformBackend& backend : platform_backends()) {
    if (name == backend.name) return &backend;
  }
  return nullptr;
}

Result<std::unique_ptr<Platform>> open_platform(const PlatformSource& source) {
  if (const PlatformBackend* backend = find_platform_backend(source.backend)) return backend->open(source);
  std::string known;
  for (const PlatformBackend& backend : platform_backends()) {
    known += known.empty() ? backend.name : fmt::format(", {}", backend.name);
  }
  return Error(Errc::kInvalidArgument,
               fmt::format("unknown platform backend '{}'; known backends: {}", source.backend, known));
}

}  // namespace cpmu
