// The simulated CXL machine: every function of a topology with its config
// space, BARs (component, memory-device and CPMU register blocks, MSI-X
// table), DOE mailbox, traffic and CPMU models, interrupts and faults.
// Thread-safe: one mutex guards the whole machine, so a monitor may sample
// from one thread while a test advances time or injects faults from another.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "cpmu/pci_address.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/result.hpp"
#include "cxlsim/clock.hpp"
#include "cxlsim/doe_model.hpp"
#include "cxlsim/function_kind.hpp"
#include "cxlsim/sim_timing.hpp"
#include "cxlsim/topology.hpp"
#include "cxlsim/traffic.hpp"

namespace cpmu::sim {

// Register blocks whose accesses are counted; kConfig counts config space.
enum class BlockKind { kConfig, kComponent, kMemoryDevice, kCpmu, kMsixTable };

struct AccessCounts {
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  bool operator==(const AccessCounts&) const = default;
};

// Faults injected at run time.
struct SurpriseRemoval {};                    // the function and all below it read all ones from now on
struct DoeFaultInjection { DoeFault fault; };
struct StuckCounter { unsigned cpmu; unsigned counter; bool stuck = true; };
struct InterruptStormFault { unsigned cpmu; bool on = true; };   // the CPMU's vector fires every tick
// Configuration that does not stick: writes to these bits of the counter's
// configuration register are ignored from now on (0 undoes it).
struct IgnoredConfigFault { unsigned cpmu; unsigned counter; std::uint64_t config_bits; };
using Fault = std::variant<SurpriseRemoval, DoeFaultInjection, StuckCounter, InterruptStormFault, IgnoredConfigFault>;


class SimulatedMachine {
 public:
  // Builds every function; with a real clock, starts the ticker thread.
  static Result<std::unique_ptr<SimulatedMachine>> create(const TopologySpec& topology, std::shared_ptr<Clock> clock);
  ~SimulatedMachine();
  SimulatedMachine(const SimulatedMachine&) = delete;
  SimulatedMachine& operator=(const SimulatedMachine&) = delete;

  // Topology, in bus order (a bridge before what is below it).
  std::vector<PciFunctionInfo> functions() const;
  Result<PciFunctionInfo> function(const PciAddress& address) const;
  Result<FunctionKind> kind(const PciAddress& address) const;
  Result<std::optional<PciAddress>> parent(const PciAddress& address) const;
  Result<std::vector<PciAddress>> children(const PciAddress& address) const;
  Result<unsigned> cpmu_count(const PciAddress& address) const;

  // Config space: 1, 2 or 4 bytes, naturally aligned, below 4 KiB. A removed
  // function reads all ones and drops writes.
  Result<std::uint32_t> config_read(const PciAddress& address, unsigned offset, unsigned size);
  Status config_write(const PciAddress& address, unsigned offset, unsigned size, std::uint32_t value);
  // All 4096 bytes, read DW by DW through the same path.
  Result<std::vector<std::uint8_t>> config_bytes(const PciAddress& address);

  // MMIO at `offset` in BAR `bar`: 1, 2, 4 or 8 bytes, naturally aligned,
  // inside the BAR. Space no block backs reads 0 and ignores writes; a
  // removed function reads all ones and drops writes.
  Result<std::uint64_t> mmio_read(const PciAddress& address, unsigned bar, std::uint64_t offset, unsigned size);
  Status mmio_write(const PciAddress& address, unsigned bar, std::uint64_t offset, unsigned size,
                    std::uint64_t value);

  // Accesses that reached a block (index selects the CPMU).
  Result<AccessCounts> access_counts(const PciAddress& address, BlockKind block, unsigned index = 0) const;
  void reset_access_counts();

  // An eventfd-backed source that becomes readable when the function raises
  // `vector`; any number of subscribers per vector.
  Result<std::unique_ptr<InterruptSource>> subscribe(const PciAddress& address, unsigned vector);
  // Interrupts raised on `vector` since creation, whether anyone listened or not.
  Result<std::uint64_t> interrupt_count(const PciAddress& address, unsigned vector) const;

  std::uint64_t now_ns() const;
  // Virtual clocks only: moves time on in steps of timing().tick_ns, syncing
  // every model after each step so that overflow interrupts fire during the
  // advance.
  Status advance(std::uint64_t ns);

  // Register access time, interrupt latency and tick (the topology's
  // "timing" at creation); rejects values outside sim_timing.hpp's bounds.
  Status set_timing(const SimTiming& timing);
  SimTiming timing() const;
  // Real clocks only: stops time (every model and ground truth stay at the
  // instant of the call) until released, so a test can compare a sample with
  // ground truth at one instant.
  Status hold_time(bool held);

  Status inject(const PciAddress& address, const Fault& fault);

  // Interrupts the models raised on `vector` that have not yet reached
  // subscribers (interrupt latency).
  Result<std::uint64_t> interrupts_in_flight(const PciAddress& address, unsigned vector) const;

  // What a perfect counter on CPMU `cpmu` of the function would have counted.
  Result<std::uint64_t> ground_truth(const PciAddress& address, unsigned cpmu, const EventKey& key,
                                     const FilterSelection& filter) const;

  struct State;

 private:
  explicit SimulatedMachine(std::unique_ptr<State> state);
  void start_ticker();
  void spend_real_access_time() const;

  std::unique_ptr<State> state_;
};

}  // namespace cpmu::sim
