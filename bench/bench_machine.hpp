// The simulated machines the benchmarks count on, and register reads as slow
// as hardware's, for ratios that compare cpmu's own work with the register
// reads it cannot avoid.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "cpmu/discovery.hpp"
#include "cpmu/platform.hpp"
#include "cxlsim/platform_wrapper.hpp"
#include "cxlsim/sim_platform.hpp"

namespace cpmu::bench {

// The simulator answers a register read in about 65 ns. On hardware a CPMU
// register read is a non-posted PCIe round trip, 0.5 to 1 us on current
// servers (writes are posted and cheap). The ratio goal is about cpmu's own
// work next to the reads a sample cannot avoid, so it is also measured with
// reads as slow as the fast end of that range.
constexpr std::chrono::nanoseconds kPcieReadLatency{500};

inline void spin(std::chrono::nanoseconds how_long) {
  const auto until = std::chrono::steady_clock::now() + how_long;
  while (std::chrono::steady_clock::now() < until) {
  }
}

// Reads through `inner`, each taking at least `latency` longer.
class SlowReads final : public Mmio {
 public:
  SlowReads(std::unique_ptr<Mmio> inner, std::chrono::nanoseconds latency)
      : inner_(std::move(inner)), latency_(latency) {}
  std::uint64_t size() const override { return inner_->size(); }
  std::uint32_t read32(std::uint64_t offset) override {
    spin(latency_);
    return inner_->read32(offset);
  }
  std::uint64_t read64(std::uint64_t offset) override {
    spin(latency_);
    return inner_->read64(offset);
  }
  void write32(std::uint64_t offset, std::uint32_t value) override { inner_->write32(offset, value); }
  void write64(std::uint64_t offset, std::uint64_t value) override { inner_->write64(offset, value); }

 private:
  std::unique_ptr<Mmio> inner_;
  std::chrono::nanoseconds latency_;
};

// The simulator, with every BAR it maps read through SlowReads.
class SlowReadPlatform final : public sim::PlatformWrapper {
 public:
  SlowReadPlatform(Platform& inner, std::chrono::nanoseconds latency) : PlatformWrapper(inner), latency_(latency) {}

 protected:
  std::unique_ptr<Mmio> wrap(std::unique_ptr<Mmio> window) override {
    return std::make_unique<SlowReads>(std::move(window), latency_);
  }

 private:
  std::chrono::nanoseconds latency_;
};

// A machine in virtual time, its CPMUs discovered, and the platform to count
// through: the simulator itself, or the simulator with slow reads.
struct BenchMachine {
  std::unique_ptr<sim::SimPlatform> sim;
  std::unique_ptr<Platform> slow;   // with an added read latency, or null
  DiscoveredMachine discovered;

  Platform& platform() { return slow ? *slow : *sim; }
  sim::SimulatedMachine& machine() { return sim->machine(); }
};

// `name` is only for messages.
inline Result<BenchMachine> open_bench_machine(const std::string& topology_json, const std::string& name,
                                               std::chrono::nanoseconds read_latency = {}) {
  auto spec = sim::parse_topology(topology_json, name);
  if (!spec) return spec.error();
  auto opened = sim::open_sim_platform(*spec, sim::ClockMode::kVirtual);
  if (!opened) return opened.error();
  BenchMachine m;
  m.sim = std::move(*opened);
  auto found = discover(*m.sim);
  if (!found) return found.error();
  m.discovered = std::move(*found);
  if (read_latency.count() > 0) m.slow = std::make_unique<SlowReadPlatform>(*m.sim, read_latency);
  return m;
}

}  // namespace cpmu::bench
