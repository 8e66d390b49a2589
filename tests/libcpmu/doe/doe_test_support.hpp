// Test support for DOE: a clock whose sleeps pass in virtual time, and a
// minimal Platform that routes one function's DOE capability to a cxlsim
// DoeModel. The DOE registers behind it are the simulator's, not a mock. The
// end-to-end tests use the sim platform (doe_sim_machine_test.cpp); this
// adapter serves the register-level tests, which need what the simulated
// machine does not expose: a log of every access, the model's Busy countdown
// (set_busy_status_reads), a read-only config space, and tables of our own.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cpmu/doe.hpp"
#include "cpmu/regs/doe.hpp"
#include "cxlsim/doe_model.hpp"

namespace cpmu::test {

class VirtualClock final : public DoeClock {
 public:
  std::chrono::nanoseconds now() override { return std::chrono::nanoseconds(now_ns_.load()); }
  void sleep_for(std::chrono::nanoseconds duration) override {
    now_ns_ += duration.count();
    ++sleeps_;
  }
  std::chrono::nanoseconds elapsed() const { return std::chrono::nanoseconds(now_ns_.load()); }
  unsigned sleeps() const { return sleeps_.load(); }

 private:
  std::atomic<std::int64_t> now_ns_{0};
  std::atomic<unsigned> sleeps_{0};
};

inline constexpr unsigned kDoeOffset = 0x190;   // where QEMU's type 3 has it
inline constexpr PciAddress kDoeFunction{0, 0x0d, 0, 0};

// One PCI function whose config space is empty but for a DOE capability
// (version 1) served by `model`. Every access is counted and logged.
class DoeModelPlatform final : public Platform {
 public:
  struct Access {
    bool write;
    unsigned offset;
    std::uint32_t value;
  };

  explicit DoeModelPlatform(sim::DoeModel& model, std::string backend = "sim")
      : model_(model), backend_(std::move(backend)) {}

  std::string name() const override { return backend_; }
  Result<std::vector<PciFunctionInfo>> enumerate() override {
    PciFunctionInfo info;
    info.address = kDoeFunction;
    return std::vector<PciFunctionInfo>{info};
  }
  Result<std::vector<std::uint8_t>> read_config(const PciAddress&, bool) override {
    return Error(Errc::kUnsupported, "not modelled");
  }
  Result<std::uint32_t> config_read32(const PciAddress& address, unsigned offset) override {
    std::lock_guard guard(mutex_);
    if (gone_) return 0xffffffffu;
    if (address != kDoeFunction) return Error(Errc::kNotFound, "no such function");
    std::uint32_t value = 0;
    if (offset == kDoeOffset) {
      value = 0x2e | (1u << 16);   // ext cap ID 0x2E, version 1, no next
    } else if (offset > kDoeOffset && offset < kDoeOffset + regs::doe::kCapSize) {
      value = model_.read(offset - kDoeOffset);
    }
    log_.push_back({false, offset, value});
    return value;
  }
  Status config_write32(const PciAddress& address, unsigned offset, std::uint32_t value) override {
    std::lock_guard guard(mutex_);
    if (address != kDoeFunction) return Error(Errc::kNotFound, "no such function");
    if (read_only_) return Error(Errc::kUnsupported, "config space is read-only here");
    log_.push_back({true, offset, value});
    if (!gone_ && offset > kDoeOffset && offset < kDoeOffset + regs::doe::kCapSize) {
      model_.write(offset - kDoeOffset, value);
    }
    return {};
  }
  Result<std::unique_ptr<Mmio>> map_bar(const PciAddress&, unsigned, std::uint64_t, std::uint64_t) override {
    return Error(Errc::kUnsupported, "not modelled");
  }
  Result<std::unique_ptr<InterruptSource>> interrupt(const PciAddress&, unsigned) override {
    return Error(Errc::kUnsupported, "not modelled");
  }

  // The function stops answering: every read returns all ones.
  void remove() {
    std::lock_guard guard(mutex_);
    gone_ = true;
  }
  // Every config write is refused, as on the dump backend.
  void make_read_only() {
    std::lock_guard guard(mutex_);
    read_only_ = true;
  }
  // Calls fn on the model with the platform's lock held.
  template <typename Fn>
  void with_model(Fn fn) {
    std::lock_guard guard(mutex_);
    fn(model_);
  }
  std::vector<Access> log() const {
    std::lock_guard guard(mutex_);
    return log_;
  }
  std::size_t accesses() const {
    std::lock_guard guard(mutex_);
    return log_.size();
  }

 private:
  mutable std::mutex mutex_;
  sim::DoeModel& model_;
  std::string backend_;
  bool gone_ = false;
  bool read_only_ = false;
  std::vector<Access> log_;
};

}  // namespace cpmu::test
