// discover(): decode_function() over every function a Platform enumerates,
// plus what needs BAR access: each CPMU's capabilities.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "cpmu/discovery.hpp"
#include "cpmu/regs/cpmu.hpp"
#include "cxl/interrupt_routing.hpp"

namespace cpmu {

namespace {

void read_cpmu(Platform& platform, const ConfigSpace& config, DiscoveredFunction& fn, Cpmu& cpmu) {
  auto window = platform.map_bar(fn.info.address, cpmu.block.bir, cpmu.block.offset, regs::cpmu::kBlockSize);
  if (!window) {
    // Not a fault of the function: the backend cannot (dump), may not (no
    // root) or must not (a driver owns it) map the BAR. Say why, and go on.
    cpmu.capabilities_unknown = fmt::format("BAR{} cannot be mapped: {}", cpmu.block.bir, window.error().message());
    return;
  }
  auto caps = read_cpmu_capabilities(**window);
  if (!caps) {
    cpmu.capabilities_unknown = caps.error().message();
    fn.problems.push_back(caps.error().context(fmt::format("cpmu{}", cpmu.instance)));
    return;
  }
  if (std::string problem = detail::interrupt_routing_problem(config, *caps, cpmu.instance); !problem.empty()) {
    fn.problems.emplace_back(Errc::kMalformed, std::move(problem));
  }
  cpmu.capabilities = std::move(*caps);
  cpmu.capabilities_unknown.clear();
}

DiscoveredFunction unreadable(const PciFunctionInfo& info, const Error& error) {
  DiscoveredFunction fn;
  fn.info = info;
  fn.responding = error.code() != Errc::kDeviceGone;
  fn.problems.push_back(error.code() == Errc::kDeviceGone
                            ? Error(Errc::kDeviceGone, "device not responding (reads all ones)")
                            : error);
  return fn;
}

}  // namespace

Result<DiscoveredMachine> discover(Platform& platform, const DiscoveryOptions& options) {
  auto infos = platform.enumerate();
  if (!infos) return infos.error();
  std::sort(infos->begin(), infos->end(),
            [](const PciFunctionInfo& a, const PciFunctionInfo& b) { return a.address < b.address; });
  DiscoveredMachine machine;
  machine.backend = platform.name();
  machine.problems = platform.problems();
  for (const auto& info : *infos) {
    auto config = platform.read_config(info.address);
    if (!config && config.error().code() == Errc::kPermissionDenied) {
      // Linux without root: the header is still readable, and it is better
      // than nothing for naming the functions.
      if (!machine.config_access_denied) {
        machine.problems.push_back(Error(
            Errc::kPermissionDenied,
            "extended configuration space needs root (CAP_SYS_ADMIN); CXL capabilities cannot be read"));
      }
      machine.config_access_denied = true;
      config = platform.read_config(info.address, true);
    }
    std::optional<Error> read_error;
    if (!config && config.error().code() != Errc::kDeviceGone) {
      // A cut-short dump or a failing read: decode what can be read, and say
      // what is missing. A malformed source (a bad dump line) already says
      // what is wrong and how much of the function is read.
      read_error = config.error().code() == Errc::kMalformed
                       ? config.error()
                       : config.error().context("config space cannot be read in full");
      config = platform.read_config(info.address, true);
    }
    if (!config) {
      machine.functions.push_back(unreadable(info, read_error ? *read_error : config.error()));
      continue;
    }
    const ConfigSpace space(*config);
    DiscoveredFunction fn = decode_function(space, info);
    // Unprivileged, every function is cut at 64 bytes for the same reason,
    // which the machine-wide problem already gives.
    if (machine.config_access_denied) fn.problems.clear();
    if (read_error) fn.problems.insert(fn.problems.begin(), *read_error);
    if (options.map_cpmus) {
      for (auto& cpmu : fn.cpmus) {
        bool fits = !cpmu.block.bar_size || *cpmu.block.bar_size - cpmu.block.offset >= regs::cpmu::kBlockSize;
        if (fits) read_cpmu(platform, space, fn, cpmu);
      }
    }
    machine.functions.push_back(std::move(fn));
  }
  return machine;
}

}  // namespace cpmu
