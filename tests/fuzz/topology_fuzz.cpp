// Fuzz target: parse_topology on arbitrary text must return a topology or an
// error, never crash, hang or throw; a topology that parses must build a
// simulated machine or be refused with an error. Seeds: the default
// topology and the small ones of tests/sim/topology_test.cpp
// (corpus/topology_fuzz/).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "cxlsim/simulated_machine.hpp"
#include "cxlsim/topology.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cpmu::Result<cpmu::sim::TopologySpec> spec = cpmu::sim::parse_topology(text, "fuzz.json");
  if (!spec) {
    if (spec.error().message().rfind("fuzz.json", 0) != 0) __builtin_trap();   // every error names its source
    return 0;
  }
  auto machine = cpmu::sim::SimulatedMachine::create(*spec, std::make_shared<cpmu::sim::VirtualClock>());
  static_cast<void>(machine);
  return 0;
}
