// cxlsim is an ordinary platform backend: linking cxlsim adds "sim" to
// libcpmu's table (CMake links this file into every program that links
// cxlsim), and every front end opens it by name like the others.
#include "cpmu/platform.hpp"
#include "cxlsim/sim_platform.hpp"

namespace cpmu::sim {
namespace {

Result<std::unique_ptr<Platform>> open_sim_backend(const PlatformSource& source) {
  const auto file = source.topology_file.empty() ? std::nullopt : std::optional<std::string>(source.topology_file);
  auto platform = open_sim_platform(file, source.virtual_time ? ClockMode::kVirtual : ClockMode::kReal);
  if (!platform) return platform.error();
  return std::unique_ptr<Platform>(std::move(*platform));
}

const bool kRegistered = [] {
  register_platform_backend({"sim",
                             "the simulated CXL machine (cxlsim): the built-in one, or topology_file; config space, "
                             "BARs and interrupts",
                             &open_sim_backend, false});
  return true;
}();

}  // namespace

}  // namespace cpmu::sim
