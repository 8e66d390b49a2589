// What `cpmu doe` and `cpmu cdat` share: opening the machine (discovery,
// topology and, on the running machine, the kernel's names) and choosing
// functions by a DEVICE argument.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/discovery.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/topology.hpp"
#include "platform_options.hpp"

namespace cpmu::cli {

struct MachineView {
  std::unique_ptr<Platform> platform;
  DiscoveredMachine machine;
  Topology topology;
  bool live = false;   // the running machine: kernel names and the ownership rule apply
  KernelCxlView kernel;   // /sys/bus/cxl as read once for the annotations (empty unless live)
};

Result<MachineView> open_machine_view(const PlatformOptions& options, const SysfsRoots& roots);

// DEVICE is a function address (0000:0d:00.0 or 0d:00.0) or a kernel name:
// memX (or X), endpointN, portN. Empty selects every function
// for which `fallback` is true. Fails if DEVICE is malformed or matches nothing.
Result<std::vector<std::size_t>> select_functions(const DiscoveredMachine& machine, std::string_view device,
                                                  bool (*fallback)(const DiscoveredFunction&));

// Why nothing could be found, when the backend refused extended config space
// (Linux without root: DOE capabilities live above the first 64 bytes, and
// the kernel's CDAT copies are root-only too); empty otherwise.
std::string unprivileged_note(const MachineView& view);

// "0000:0d:00.0 switch upstream port mem0" style heading for one function.
std::string function_heading(const DiscoveredFunction& function);

}  // namespace cpmu::cli
