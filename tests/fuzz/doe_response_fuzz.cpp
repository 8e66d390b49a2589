// Fuzz target: a DOE device whose every register read comes from the fuzzer.
// Discovery and a CDAT read over it must end with a result or an error:
// no crash, no unbounded loop. Time is virtual, so the 1 s timeouts cost
// nothing. Seeds (corpus/doe_response/) replay QEMU's answers.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "cpmu/cdat.hpp"
#include "cpmu/doe.hpp"
#include "cpmu/regs/doe.hpp"

namespace {

constexpr unsigned kOffset = 0x190;
constexpr cpmu::PciAddress kFunction{0, 0x0d, 0, 0};
// Each read consumes 4 input bytes; past the end of the input the device
// stays silent (reads 0), which the timeouts must handle.
constexpr std::size_t kMaxReads = 1u << 20;

class VirtualClock final : public cpmu::DoeClock {
 public:
  std::chrono::nanoseconds now() override { return now_; }
  void sleep_for(std::chrono::nanoseconds d) override { now_ += d; }

 private:
  std::chrono::nanoseconds now_{0};
};

class ScriptedDoe final : public cpmu::Platform {
 public:
  explicit ScriptedDoe(std::span<const std::uint8_t> script) : script_(script) {}
  std::string name() const override { return "fuzz"; }
  cpmu::Result<std::vector<cpmu::PciFunctionInfo>> enumerate() override {
    return std::vector<cpmu::PciFunctionInfo>{};
  }
  cpmu::Result<std::vector<std::uint8_t>> read_config(const cpmu::PciAddress&, bool) override {
    return cpmu::Error(cpmu::Errc::kUnsupported, "fuzz");
  }
  cpmu::Result<std::uint32_t> config_read32(const cpmu::PciAddress&, unsigned offset) override {
    if (offset == kOffset) return 0x0001002eu;   // DOE ext cap, version 1
    if (++reads_ > kMaxReads || position_ + 4 > script_.size()) return 0u;
    std::uint32_t value = 0;
    for (unsigned i = 0; i < 4; ++i) value |= std::uint32_t{script_[position_ + i]} << (8 * i);
    position_ += 4;
    return value;
  }
  cpmu::Status config_write32(const cpmu::PciAddress&, unsigned, std::uint32_t) override { return {}; }
  cpmu::Result<std::unique_ptr<cpmu::Mmio>> map_bar(const cpmu::PciAddress&, unsigned, std::uint64_t,
                                                    std::uint64_t) override {
    return cpmu::Error(cpmu::Errc::kUnsupported, "fuzz");
  }
  cpmu::Result<std::unique_ptr<cpmu::InterruptSource>> interrupt(const cpmu::PciAddress&, unsigned) override {
    return cpmu::Error(cpmu::Errc::kUnsupported, "fuzz");
  }

 private:
  std::span<const std::uint8_t> script_;
  std::size_t position_ = 0;
  std::size_t reads_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ScriptedDoe platform(std::span<const std::uint8_t>(data, size));
  cpmu::DoeMailbox mailbox(platform, kFunction, kOffset, {{}, std::make_shared<VirtualClock>()});
  auto protocols = cpmu::discover_doe_protocols(mailbox);
  if (!protocols || mailbox.dead()) return 0;
  auto table = cpmu::read_cdat_over_doe(mailbox, cpmu::CdatReadLimits{64, 1u << 16});
  if (table) (void)cpmu::parse_cdat(*table);
  return 0;
}
