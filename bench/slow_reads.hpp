// Register reads as slow as hardware's, for benchmarks whose ratios compare
// cpmu's own work with the register reads it cannot avoid.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpmu/platform.hpp"

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
class SlowReadPlatform final : public Platform {
 public:
  SlowReadPlatform(Platform& inner, std::chrono::nanoseconds latency) : inner_(inner), latency_(latency) {}
  std::string name() const override { return inner_.name(); }
  Result<std::vector<PciFunctionInfo>> enumerate() override { return inner_.enumerate(); }
  Result<std::vector<std::uint8_t>> read_config(const PciAddress& address, bool allow_partial) override {
    return inner_.read_config(address, allow_partial);
  }
  Result<std::uint32_t> config_read32(const PciAddress& address, unsigned offset) override {
    return inner_.config_read32(address, offset);
  }
  Status config_write32(const PciAddress& address, unsigned offset, std::uint32_t value) override {
    return inner_.config_write32(address, offset, value);
  }
  Result<std::unique_ptr<Mmio>> map_bar(const PciAddress& address, unsigned bar,
                                                    std::uint64_t offset, std::uint64_t size) override {
    auto mapped = inner_.map_bar(address, bar, offset, size);
    if (!mapped) return mapped.error();
    return std::unique_ptr<Mmio>(std::make_unique<SlowReads>(std::move(*mapped), latency_));
  }
  Result<std::unique_ptr<InterruptSource>> interrupt(const PciAddress& address,
                                                                 unsigned vector) override {
    return inner_.interrupt(address, vector);
  }

 private:
  Platform& inner_;
  std::chrono::nanoseconds latency_;
};

}  // namespace cpmu::bench
