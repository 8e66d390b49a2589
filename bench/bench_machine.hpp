// Register reads as slow as hardware's, for benchmarks whose ratios compare
// cpmu's own work with the register reads it cannot avoid.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "cpmu/platform.hpp"
#include "cxlsim/platform_wrapper.hpp"

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

}  // namespace cpmu::bench
