// The "sim" platform backend: cpmu::Platform over a simulated SimulatedMachine, so
// that everything above the platform layer runs without CXL hardware.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cpmu/platform.hpp"
#include "cxlsim/simulated_machine.hpp"
#include "cxlsim/topology.hpp"

namespace cpmu::sim {

// Virtual: time stands still until the caller advances it (tests).
// Real: time follows the wall clock and a ticker keeps models synced (demos).
enum class ClockMode { kVirtual, kReal };

class SimPlatform final : public Platform {
 public:
  explicit SimPlatform(std::shared_ptr<SimulatedMachine> machine) : machine_(std::move(machine)) {}

  std::string name() const override { return "sim"; }
  Result<std::vector<PciFunctionInfo>> enumerate() override;
  // Always the full 4 KiB: the simulation has no privilege cut.
  Result<std::vector<std::uint8_t>> read_config(const PciAddress& address, bool allow_partial = false) override;
  Result<std::uint32_t> config_read32(const PciAddress& address, unsigned offset) override;
  Status config_write32(const PciAddress& address, unsigned offset, std::uint32_t value) override;
  Result<std::unique_ptr<Mmio>> map_bar(const PciAddress& address, unsigned bar, std::uint64_t offset,
                                        std::uint64_t size) override;
  Result<std::unique_ptr<InterruptSource>> interrupt(const PciAddress& address, unsigned vector) override;

  // The machine underneath, for tests (time, faults, ground truth, counters).
  SimulatedMachine& machine() { return *machine_; }

 private:
  std::shared_ptr<SimulatedMachine> machine_;
};

// A platform over `topology`, with a new clock of the given mode.
Result<std::unique_ptr<SimPlatform>> open_sim_platform(const TopologySpec& topology, ClockMode mode);
// The same over a topology file, or over the built-in default when there is none.
Result<std::unique_ptr<SimPlatform>> open_sim_platform(const std::optional<std::string>& topology_file,
                                                       ClockMode mode);

}  // namespace cpmu::sim
