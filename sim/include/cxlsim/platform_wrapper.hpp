// PlatformWrapper: a Platform that passes every call to another one, with a
// hook on each BAR it maps. Tests and benchmarks put it around the simulator
// to watch or slow the register accesses a component makes, without the
// component knowing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpmu/platform.hpp"

namespace cpmu::sim {

class PlatformWrapper : public Platform {
 public:
  explicit PlatformWrapper(Platform& inner) : inner_(inner) {}

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
  Result<std::unique_ptr<Mmio>> map_bar(const PciAddress& address, unsigned bar, std::uint64_t offset,
                                        std::uint64_t size) override {
    Result<std::unique_ptr<Mmio>> mapped = inner_.map_bar(address, bar, offset, size);
    if (!mapped) return mapped;
    return wrap(std::move(*mapped));
  }
  Result<std::unique_ptr<InterruptSource>> interrupt(const PciAddress& address, unsigned vector) override {
    return inner_.interrupt(address, vector);
  }
  std::vector<Error> problems() const override { return inner_.problems(); }

 protected:
  // What a mapped window becomes; the window itself by default.
  virtual std::unique_ptr<Mmio> wrap(std::unique_ptr<Mmio> window) { return window; }

 private:
  Platform& inner_;
};

}  // namespace cpmu::sim
