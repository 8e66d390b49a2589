// The counting engine against hostile CPMU registers: the direct backend
// counts on a simulated CPMU whose every register read, from the moment it
// is opened, has fuzzer bytes XORed in (8 bytes a read, then the true values
// once the input is used up): capabilities that change between reads,
// counters that go backwards or jump, overflow bits that never clear,
// configuration that does not read back, Freeze that never lets go.
// Invariants: no crash, no hang (every loop here is bounded; libFuzzer's
// timeout catches one inside), and every value either trusted or carrying
// the reason it is not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <unistd.h>

#include "counting/direct_backend.hpp"
#include "cpmu/discovery.hpp"
#include "cxlsim/platform_wrapper.hpp"
#include "cxlsim/sim_platform.hpp"
#include "cxlsim/topology.hpp"

namespace {

const cpmu::PciAddress kEndpoint{0, 0x0d, 0, 0};

constexpr const char* kTopology = R"({"schema_version": 1, "host_bridges": [{"root_bus": "0x0c", "root_ports": [{
  "device": 0, "link": {"speed_gts": 32, "width": 8},
  "endpoint": {"memory": [{"size": "4G"}], "hdm_decoders": 1, "ddr_channels": 1, "clock_mhz": 1000,
    "traffic": {"phases": [{"duration_ms": 1000, "reads_per_s": 1000000, "writes_per_s": 500000}]},
    "cpmus": [{"width": 16,
               "event_caps": [{"vid": "0x1e98", "gid": "0x0000", "mask": "0x1"},
                              {"vid": "0x1e98", "gid": "0x0020", "mask": "0x1f"}],
               "counters": [{"kind": "fixed", "cap": 0, "mask": "0x1"}, {"kind": "configurable"},
                            {"kind": "free_running", "cap": 1, "mask": "0x2"}],
               "interrupt": true, "msi": 1, "freeze": true, "writable_when_frozen": true}]}}]}]})";

// The fuzzer's bytes, taken 8 at a time.
struct Hostility {
  const std::uint8_t* data;
  std::size_t size;
  std::uint64_t next() {
    std::uint64_t x = 0;
    const std::size_t n = size < 8 ? size : 8;
    if (n == 0) return 0;  // an empty input: data may be null
    std::memcpy(&x, data, n);
    data += n;
    size -= n;
    return x;
  }
};

class HostileMmio final : public cpmu::Mmio {
 public:
  HostileMmio(std::unique_ptr<cpmu::Mmio> inner, Hostility* h) : inner_(std::move(inner)), h_(h) {}
  std::uint64_t size() const override { return inner_->size(); }
  std::uint32_t read32(std::uint64_t offset) override {
    return inner_->read32(offset) ^ static_cast<std::uint32_t>(h_->next());
  }
  std::uint64_t read64(std::uint64_t offset) override { return inner_->read64(offset) ^ h_->next(); }
  void write32(std::uint64_t offset, std::uint32_t value) override { inner_->write32(offset, value); }
  void write64(std::uint64_t offset, std::uint64_t value) override { inner_->write64(offset, value); }

 private:
  std::unique_ptr<cpmu::Mmio> inner_;
  Hostility* h_;
};

class HostilePlatform final : public cpmu::sim::PlatformWrapper {
 public:
  HostilePlatform(cpmu::Platform& inner, Hostility* h) : PlatformWrapper(inner), h_(h) {}

 protected:
  std::unique_ptr<cpmu::Mmio> wrap(std::unique_ptr<cpmu::Mmio> window) override {
    return std::make_unique<HostileMmio>(std::move(window), h_);
  }

 private:
  Hostility* h_;
};

cpmu::EventSelection event(std::uint16_t gid, std::uint32_t mask) {
  cpmu::EventSelection e;
  e.code = cpmu::EventCode{0x1e98, gid, mask};
  return e;
}

void check(const cpmu::Result<cpmu::CountSample>& sample) {
  if (!sample) {
    if (sample.error().message().empty()) std::abort();
    return;
  }
  for (const cpmu::CountValue& v : sample->values) {
    if (v.trusted != v.doubt.empty()) std::abort();  // every doubtful value says why
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cpmu::sim::TopologySpec spec = *cpmu::sim::parse_topology(kTopology, "hostile.json");
  auto sim = cpmu::sim::open_sim_platform(spec, cpmu::sim::ClockMode::kVirtual);
  if (!sim) std::abort();
  auto machine = cpmu::discover(**sim);
  if (!machine) std::abort();
  const cpmu::DiscoveredFunction* function = nullptr;
  for (const auto& f : machine->functions) {
    if (f.info.address == kEndpoint && !f.cpmus.empty()) function = &f;
  }
  if (function == nullptr) std::abort();

  Hostility hostility{data, size};
  HostilePlatform platform(**sim, &hostility);
  cpmu::sim::SimulatedMachine* m = &(*sim)->machine();
  cpmu::DirectBackendOptions options;
  options.now = [m] { return m->now_ns(); };
  static const std::string locks = "/tmp/cpmu-hostile-fuzz-locks-" + std::to_string(::getpid());
  options.lock_directories = {locks};
  // Five requests on two configurable-capable counters: multiplexing too.
  auto backend = cpmu::open_direct_backend(platform, *function, function->cpmus.front(),
                                           {{"clock", event(0, 1)},
                                            {"rd", event(0x20, 0x2)},
                                            {"rddata", event(0x20, 0x4)},
                                            {"inv", event(0x20, 0x1)},
                                            {"free", event(0x20, 0x2)}},
                                           options);
  if (!backend) {
    if (backend.error().message().empty()) std::abort();
    return 0;  // the hostile values made the CPMU unusable, and it was said why
  }
  if ((*backend)->start()) {
    for (int step = 0; step < 12; ++step) {
      if (!m->advance(static_cast<std::uint64_t>(hostility.next() % 5'000'000))) std::abort();
      if (step % 3 == 0) static_cast<void>((*backend)->service());
      check((*backend)->read());
    }
  }
  static_cast<void>((*backend)->stop());
  backend->reset();
  return 0;
}
