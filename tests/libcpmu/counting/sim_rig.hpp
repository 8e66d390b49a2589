// Test rig for the direct backend: a simulated machine with one memory
// expander carrying one CPMU described by a few fields, the backend opened on
// it with the machine's virtual clock, ground truth for any selection, and a
// platform wrapper that records every MMIO write (and can refuse interrupts).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "counting/direct_backend.hpp"
#include "cpmu/discovery.hpp"
#include "cxlsim/platform_wrapper.hpp"
#include "cxlsim/sim_platform.hpp"

namespace cpmu::test {

inline const PciAddress kEndpoint{0, 0x0d, 0, 0};

inline EventSelection spec_event(std::uint16_t gid, std::uint32_t mask) {
  EventSelection e;
  e.code = EventCode{kCxlVendorId, gid, mask};
  return e;
}
inline const EventSelection kClockTicks = spec_event(0x0000, 0x1);
inline const EventSelection kMemRd = spec_event(0x0020, 0x2);        // m2s_req_memrd = reads
inline const EventSelection kMemWr = spec_event(0x0021, 0x2);        // m2s_rwd_memwr = full writes
inline const EventSelection kMemWrPtl = spec_event(0x0021, 0x4);     // m2s_rwd_memwrptl = partial writes
inline const EventSelection kNdrCmp = spec_event(0x0024, 0x1);       // s2m_ndr_cmp = all writes
inline const EventSelection kDrsMemData = spec_event(0x0025, 0x1);   // s2m_drs_memdata = reads
inline const EventSelection kDdrPre = spec_event(0x8000, 0x2);
inline const EventSelection kDdrCasRd = spec_event(0x8000, 0x4);

inline CountRequest request(std::string label, EventSelection event) { return {std::move(label), event}; }

// One CPMU on the expander 0d:00.0 behind root port 0c:00.0. Event
// capabilities and counters are JSON array bodies in topology-format.md's
// syntax.
struct CpmuTopology {
  unsigned width = 48;
  std::string event_caps = R"({"vid": "0x1e98", "gid": "0x0000", "mask": "0x1"},
                              {"vid": "0x1e98", "gid": "0x0020", "mask": "0x1f"},
                              {"vid": "0x1e98", "gid": "0x0021", "mask": "0x36"},
                              {"vid": "0x1e98", "gid": "0x0024", "mask": "0x1f"},
                              {"vid": "0x1e98", "gid": "0x0025", "mask": "0x3"},
                              {"vid": "0x1e98", "gid": "0x8000", "mask": "0x1f"})";
  std::string counters = R"({"kind": "fixed", "cap": 0, "mask": "0x1"},
                            {"kind": "configurable"}, {"kind": "configurable"},
                            {"kind": "configurable"}, {"kind": "configurable"})";
  std::string filters;   // e.g. "\"hdm\", \"channel_rank_bank\""
  bool interrupt = true;
  bool freeze = true;
  bool writable_when_frozen = true;
  std::string traffic = R"({"phases": [{"duration_ms": 1000, "reads_per_s": 1000000, "writes_per_s": 500000,
                                         "partial_write_permille": 200}]})";
  unsigned hdm_decoders = 1;
  unsigned ddr_channels = 1;
  unsigned clock_mhz = 1000;
  std::string faults;   // the endpoint's "faults" object body, e.g. "\"msix_vectors\": 1"
};

inline std::string steady_traffic(std::uint64_t reads_per_s, std::uint64_t writes_per_s, unsigned partial_permille) {
  return fmt::format(R"({{"phases": [{{"duration_ms": 1000, "reads_per_s": {}, "writes_per_s": {},
                                        "partial_write_permille": {}}}]}})",
                     reads_per_s, writes_per_s, partial_permille);
}

inline std::string topology_json(const CpmuTopology& t) {
  return fmt::format(R"({{"schema_version": 1, "host_bridges": [{{"root_bus": "0x0c", "root_ports": [{{
    "device": 0, "link": {{"speed_gts": 32, "width": 8}},
    "endpoint": {{"memory": [{{"size": "4G"}}], "hdm_decoders": {}, "ddr_channels": {}, "clock_mhz": {},
      "traffic": {}, "faults": {{{}}},
      "cpmus": [{{"width": {}, "event_caps": [{}], "counters": [{}], "filters": [{}],
                 "interrupt": {}, "msi": 1, "freeze": {}, "writable_when_frozen": {}}}]}}}}]}}]}})",
                     t.hdm_decoders, t.ddr_channels, t.clock_mhz, t.traffic, t.faults, t.width, t.event_caps,
                     t.counters, t.filters, t.interrupt, t.freeze, t.writable_when_frozen);
}

struct MmioWrite {
  std::uint64_t offset;
  std::uint64_t value;
  unsigned size;
};
using WriteLog = std::vector<MmioWrite>;

// Passes everything to the wrapped window, logging writes.
class RecordingMmio final : public Mmio {
 public:
  RecordingMmio(std::unique_ptr<Mmio> inner, std::shared_ptr<WriteLog> log)
      : inner_(std::move(inner)), log_(std::move(log)) {}
  std::uint64_t size() const override { return inner_->size(); }
  std::uint32_t read32(std::uint64_t offset) override { return inner_->read32(offset); }
  std::uint64_t read64(std::uint64_t offset) override { return inner_->read64(offset); }
  void write32(std::uint64_t offset, std::uint32_t value) override {
    log_->push_back({offset, value, 4});
    inner_->write32(offset, value);
  }
  void write64(std::uint64_t offset, std::uint64_t value) override {
    log_->push_back({offset, value, 8});
    inner_->write64(offset, value);
  }

 private:
  std::unique_ptr<Mmio> inner_;
  std::shared_ptr<WriteLog> log_;
};

class RecordingPlatform final : public sim::PlatformWrapper {
 public:
  using PlatformWrapper::PlatformWrapper;
  // What the Linux platform answers: user space gets no MSI-X without VFIO.
  Result<std::unique_ptr<InterruptSource>> interrupt(const PciAddress& a, unsigned vector) override {
    if (refuse_interrupts) return Error(Errc::kUnsupported, "interrupt delivery is not supported here");
    return PlatformWrapper::interrupt(a, vector);
  }

  std::shared_ptr<WriteLog> writes = std::make_shared<WriteLog>();
  bool refuse_interrupts = false;

 protected:
  std::unique_ptr<Mmio> wrap(std::unique_ptr<Mmio> window) override {
    return std::make_unique<RecordingMmio>(std::move(window), writes);
  }
};

// A fresh lock directory per rig, so tests never meet each other's locks.
inline std::string fresh_lock_directory() {
  static std::atomic<unsigned> serial{0};
  auto dir = std::filesystem::temp_directory_path() /
             fmt::format("cpmu-counting-test-{}-{}", ::getpid(), serial.fetch_add(1));
  std::filesystem::remove_all(dir);
  return dir.string();
}

class SimRig {
 public:
  // Check ok() (or use ASSERT_RIG) before anything else.
  explicit SimRig(const CpmuTopology& t = {}) {
    Result<sim::TopologySpec> spec = sim::parse_topology(topology_json(t), "rig.json");
    if (!spec) {
      error_ = spec.error().message();
      return;
    }
    Result<std::unique_ptr<sim::SimPlatform>> opened = sim::open_sim_platform(*spec, sim::ClockMode::kVirtual);
    if (!opened) {
      error_ = opened.error().message();
      return;
    }
    sim_ = std::move(*opened);
    recording_ = std::make_unique<RecordingPlatform>(*sim_);
    Result<DiscoveredMachine> found = discover(*sim_);
    if (!found) {
      error_ = found.error().message();
      return;
    }
    for (const DiscoveredFunction& f : found->functions) {
      if (f.info.address == kEndpoint && !f.cpmus.empty()) function_ = f;
    }
    if (function_.cpmus.empty()) error_ = "discovery found no CPMU on 0d:00.0";
  }
  ~SimRig() { std::filesystem::remove_all(lock_directory_); }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  sim::SimulatedMachine& machine() { return sim_->machine(); }
  RecordingPlatform& platform() { return *recording_; }
  const DiscoveredFunction& function() const { return function_; }
  const Cpmu& cpmu() const { return function_.cpmus.front(); }
  const std::string& lock_directory() const { return lock_directory_; }

  DirectBackendOptions options() {
    DirectBackendOptions o;
    sim::SimulatedMachine* m = &machine();
    o.now = [m] { return m->now_ns(); };
    o.lock_directories = {lock_directory_};
    return o;
  }
  Result<std::unique_ptr<CounterBackend>> open(std::vector<CountRequest> requests) {
    return open(std::move(requests), options());
  }
  Result<std::unique_ptr<CounterBackend>> open(std::vector<CountRequest> requests, DirectBackendOptions o) {
    return open_direct_backend(*recording_, function_, cpmu(), std::move(requests), std::move(o));
  }

  void advance(std::uint64_t ns) { ASSERT_TRUE(machine().advance(ns)); }
  // Events of `e` since the machine started: the sum over its mask's bits.
  std::uint64_t truth(const EventSelection& e) {
    sim::FilterSelection filter{e.hdm_decoder, e.channel_rank_bank};
    std::uint64_t sum = 0;
    for (unsigned bit = 0; bit < 32; ++bit) {
      if (((e.code.mask >> bit) & 1) == 0) continue;
      sum += machine()
                 .ground_truth(kEndpoint, 0, sim::EventKey{e.code.vid, e.code.gid, static_cast<std::uint8_t>(bit)},
                               filter)
                 .value();
    }
    return sum;
  }
  std::uint64_t cpmu_accesses() {
    sim::AccessCounts counts = machine().access_counts(kEndpoint, sim::BlockKind::kCpmu, 0).value();
    return counts.reads + counts.writes;
  }

 private:
  std::string error_;
  std::unique_ptr<sim::SimPlatform> sim_;
  std::unique_ptr<RecordingPlatform> recording_;
  DiscoveredFunction function_;
  std::string lock_directory_ = fresh_lock_directory();
};

#define ASSERT_RIG(rig) ASSERT_TRUE((rig).ok()) << (rig).error()

// The values of a read, or a failed assertion.
inline std::vector<CountValue> values_of(CounterBackend& backend) {
  Result<CountSample> sample = backend.read();
  EXPECT_TRUE(sample) << (sample ? "" : sample.error().message());
  return sample ? sample->values : std::vector<CountValue>{};
}

}  // namespace cpmu::test
