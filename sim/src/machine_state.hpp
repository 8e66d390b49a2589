// The inside of a SimulatedMachine: its functions, models and interrupt plumbing.
// Built by build_machine_state() (machine_builder.cpp), run by machine.cpp.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>
#include <vector>

#include "cxlsim/cpmu_model.hpp"
#include "cxlsim/cxl_function_config.hpp"
#include "cxlsim/doe_model.hpp"
#include "cxlsim/simulated_machine.hpp"
#include "cxlsim/register_images.hpp"
#include "eventfd_interrupt.hpp"

namespace cpmu::sim {

// One register block inside a BAR; index numbers CPMUs.
struct BlockMapping {
  BlockKind kind;
  unsigned index = 0;
  unsigned bar = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  AccessCounts counts;
};

struct SimFunction {
  PciAddress address;
  FunctionKind kind = FunctionKind::kEndpoint;
  std::optional<std::size_t> parent;
  std::vector<std::size_t> children;

  FunctionConfig config;
  std::vector<BarAssignment> bars;
  std::vector<BlockMapping> blocks;
  AccessCounts config_counts;
  std::optional<RegisterImage> component;
  std::optional<RegisterImage> memory_device;
  std::vector<std::uint8_t> msix_table;   // vectors x 16 bytes

  std::unique_ptr<DoeModel> doe;
  std::unique_ptr<TrafficSource> traffic;   // DeviceTraffic (endpoints) or AggregateTraffic (ports)
  std::vector<std::unique_ptr<CpmuModel>> cpmus;
  std::vector<bool> storms;
  std::optional<std::uint64_t> removal_ns;

  std::map<unsigned, std::uint64_t> interrupts;   // vector -> times raised
  std::map<unsigned, std::vector<std::weak_ptr<EventFd>>> subscribers;

  // Memory Space Enable in the Command register.
  bool decodes_memory() const;
};

// Interrupts on their way to subscribers (SimTiming::interrupt_latency_ns).
struct InterruptInFlight {
  std::uint64_t due_ns;
  SimFunction* function;
  unsigned vector;
  std::uint64_t count;
  bool operator>(const InterruptInFlight& other) const { return due_ns > other.due_ns; }
};

struct SimulatedMachine::State {
  std::shared_ptr<Clock> clock;
  std::shared_ptr<VirtualClock> virtual_clock;   // set when the clock is virtual
  std::shared_ptr<RealClock> real_clock;         // set when the clock is real
  SimTiming timing;
  std::atomic<std::uint64_t> access_ns{0};   // timing.register_access_ns, read without the lock
  std::priority_queue<InterruptInFlight, std::vector<InterruptInFlight>, std::greater<>> in_flight;
  // unique_ptr: models keep references to their function's traffic and
  // callbacks keep pointers to functions, so functions must not move.
  std::vector<std::unique_ptr<SimFunction>> functions;
  // Every register access looks its function up; a machine may have hundreds.
  std::map<PciAddress, SimFunction*> by_address;

  mutable std::mutex mutex;
  std::thread ticker;
  std::condition_variable ticker_wake;
  bool stopping = false;

  // Caller holds the mutex.
  SimFunction* find(const PciAddress& address) const;
  bool present(const SimFunction& function, std::uint64_t now) const;
  Result<std::uint32_t> config_read(SimFunction& function, unsigned offset, unsigned size);
  // `count` interrupts on `vector`, delivered after the interrupt latency.
  void raise(SimFunction& function, unsigned vector, std::uint64_t count = 1);
  void deliver(SimFunction& function, unsigned vector, std::uint64_t count);
  // Delivers what is due by `now`.
  void deliver_due(std::uint64_t now);
  void sync_all(std::uint64_t now);
  // The register access time: the virtual clock moves on (and what falls due
  // meanwhile is delivered); a real one was spent before the lock was taken.
  void spend_access_time();
};

Result<std::unique_ptr<SimulatedMachine::State>> build_machine_state(const TopologySpec& topology,
                                                            std::shared_ptr<Clock> clock);

}  // namespace cpmu::sim
