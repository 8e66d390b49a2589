// The built-in default machine as software finds it: every function's IDs,
// port type, link, bus numbers, BARs, extended capability chain and Register
// Locator, decoded here with independent config reads and compared with
// literal values worked out from facts §1 and the layout rules in
// docs/simulator-model.md ("Config space", "SimulatedMachine").
#include <gtest/gtest.h>

#include <vector>

#include "cxlsim/simulated_machine.hpp"

namespace cpmu::sim {
namespace {

struct ExtCap {
  unsigned offset;
  unsigned id;
  int dvsec_id;          // -1: not a DVSEC
  unsigned dvsec_length;
  bool operator==(const ExtCap&) const = default;
};

std::ostream& operator<<(std::ostream& out, const ExtCap& c) {
  return out << "{0x" << std::hex << c.offset << ", 0x" << c.id << ", " << std::dec << c.dvsec_id << ", "
             << c.dvsec_length << "}";
}

struct Expected {
  PciAddress address;
  std::uint32_t ids;         // config 0x00
  std::uint32_t class_rev;   // config 0x08
  std::uint32_t pcie;        // PCIe capability DW at 0x40: ID, next, version 2 and port type
  std::uint32_t link_cap;    // 0x4c
  std::uint32_t buses;       // 0x18 for bridges, 0 for endpoints
  std::vector<ExtCap> chain;
  std::vector<std::uint32_t> locator;   // low DWs of the Register Locator entries
};

constexpr unsigned kDvsec = 0x23, kDsn = 0x03, kDoe = 0x2e;

// Literal expectations for the built-in default (sim/topologies/default.json).
std::vector<Expected> default_machine() {
  const std::vector<ExtCap> port_chain = {
      {0x100, kDvsec, 3, 40}, {0x128, kDvsec, 4, 16}, {0x138, kDvsec, 7, 20}, {0x14c, kDvsec, 8, 28}};
  const std::vector<ExtCap> empty_port_chain = {
      {0x100, kDvsec, 3, 40}, {0x128, kDvsec, 4, 16}, {0x138, kDvsec, 7, 20}, {0x14c, kDvsec, 8, 20}};
  const std::vector<ExtCap> two_cpmu_endpoint = {
      {0x100, kDsn, -1, 0}, {0x10c, kDvsec, 0, 56}, {0x144, kDvsec, 8, 44}, {0x170, kDvsec, 5, 16}, {0x180, kDoe, -1, 0}};
  const std::vector<ExtCap> one_cpmu_endpoint = {
      {0x100, kDsn, -1, 0}, {0x10c, kDvsec, 0, 56}, {0x144, kDvsec, 8, 36}, {0x168, kDvsec, 5, 16}, {0x178, kDoe, -1, 0}};
  const std::vector<std::uint32_t> port_locator = {0x0000'0100, 0x0001'0400};
  return {
      {{0, 0x0c, 0, 0}, 0xc000'1b36, 0x0604'0000, 0x0042'7c10, 0x0010'0105, 0x0012'0d0c, port_chain, port_locator},
      {{0, 0x0d, 0, 0}, 0xc001'1b36, 0x0604'0000, 0x0052'7c10, 0x0000'0105, 0x0012'0e0d,
       {{0x100, kDvsec, 3, 40}, {0x128, kDvsec, 7, 20}, {0x13c, kDvsec, 8, 28}, {0x158, kDoe, -1, 0}}, port_locator},
      {{0, 0x0e, 0, 0}, 0xc002'1b36, 0x0604'0000, 0x0062'7c10, 0x0010'0085, 0x000f'0f0e, port_chain, port_locator},
      {{0, 0x0f, 0, 0}, 0xc003'1b36, 0x0502'1001, 0x0002'7c10, 0x0000'0085, 0, two_cpmu_endpoint,
       {0x0000'0100, 0x0000'0302, 0x0001'0402, 0x0002'0402}},
      {{0, 0x0e, 1, 0}, 0xc002'1b36, 0x0604'0000, 0x0062'7c10, 0x0110'0084, 0x0010'100e, port_chain, port_locator},
      {{0, 0x10, 0, 0}, 0xc003'1b36, 0x0502'1001, 0x0002'7c10, 0x0000'0084, 0, one_cpmu_endpoint,
       {0x0000'0100, 0x0000'0302, 0x0001'0402}},
      {{0, 0x0e, 2, 0}, 0xc002'1b36, 0x0604'0000, 0x0062'7c10, 0x0210'0045, 0x0011'110e, empty_port_chain,
       {0x0000'0100}},
      {{0, 0x11, 0, 0}, 0xc003'1b36, 0x0502'1001, 0x0002'7c10, 0x0000'0045, 0, one_cpmu_endpoint,
       {0x0000'0100, 0x0000'0302, 0x0001'0402}},
      {{0, 0x0e, 3, 0}, 0xc002'1b36, 0x0604'0000, 0x0062'7c10, 0x0310'0085, 0x0012'120e, empty_port_chain,
       {0x0000'0100}},
      {{0, 0x0c, 1, 0}, 0xc000'1b36, 0x0604'0000, 0x0042'7c10, 0x0110'0085, 0x0013'130c, port_chain, port_locator},
      {{0, 0x13, 0, 0}, 0xc003'1b36, 0x0502'1001, 0x0002'7c10, 0x0000'0085, 0, two_cpmu_endpoint,
       {0x0000'0100, 0x0000'0302, 0x0001'0402, 0x0002'0402}},
  };
}

class DefaultMachine : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TopologySpec> spec = default_topology();
    ASSERT_TRUE(spec) << spec.error().message();
    Result<std::unique_ptr<SimulatedMachine>> created = SimulatedMachine::create(*spec, std::make_shared<VirtualClock>());
    ASSERT_TRUE(created) << created.error().message();
    machine = std::move(*created);
  }
  std::uint32_t cfg(const PciAddress& a, unsigned offset) { return machine->config_read(a, offset, 4).value(); }

  // An independent walk: header at 0x100, next pointer in bits 31:20.
  std::vector<ExtCap> chain(const PciAddress& a) {
    std::vector<ExtCap> out;
    for (unsigned at = 0x100; at != 0 && out.size() < 64;) {
      const std::uint32_t header = cfg(a, at);
      const unsigned id = header & 0xffff;
      ExtCap cap{at, id, -1, 0};
      if (id == kDvsec) {
        cap.dvsec_id = static_cast<int>(cfg(a, at + 8) & 0xffff);
        cap.dvsec_length = cfg(a, at + 4) >> 20;
        EXPECT_EQ(cfg(a, at + 4) & 0xffff, 0x1e98u) << "DVSEC vendor at " << at;
      }
      out.push_back(cap);
      at = header >> 20;
    }
    return out;
  }

  std::unique_ptr<SimulatedMachine> machine;
};

TEST_F(DefaultMachine, EnumeratesElevenFunctionsInBusOrder) {
  const std::vector<PciFunctionInfo> functions = machine->functions();
  std::vector<std::string> addresses;
  for (const PciFunctionInfo& f : functions) addresses.push_back(f.address.to_string());
  EXPECT_EQ(addresses, (std::vector<std::string>{"0000:0c:00.0", "0000:0c:01.0", "0000:0d:00.0", "0000:0e:00.0",
                                                 "0000:0e:01.0", "0000:0e:02.0", "0000:0e:03.0", "0000:0f:00.0",
                                                 "0000:10:00.0", "0000:11:00.0", "0000:13:00.0"}));
}

TEST_F(DefaultMachine, EveryFunctionDecodesToItsLiteralLayout) {
  for (const Expected& e : default_machine()) {
    SCOPED_TRACE(e.address.to_string());
    EXPECT_EQ(cfg(e.address, 0x00), e.ids);
    EXPECT_EQ(cfg(e.address, 0x08), e.class_rev);
    EXPECT_EQ(cfg(e.address, 0x34) & 0xff, 0x40u);
    EXPECT_EQ(cfg(e.address, 0x40), e.pcie);
    EXPECT_EQ(cfg(e.address, 0x4c), e.link_cap);
    EXPECT_EQ(cfg(e.address, 0x7c) & 0xffff, 0x8811u);   // MSI-X, next: power management
    EXPECT_EQ(cfg(e.address, 0x7c) >> 16, 0x000fu);      // 16 vectors
    EXPECT_EQ(cfg(e.address, 0x88) & 0xffff, 0x0001u);   // power management, end of list
    if (e.buses != 0) {
      EXPECT_EQ(cfg(e.address, 0x18), e.buses);
    }
    EXPECT_EQ(chain(e.address), e.chain);
    unsigned locator = 0;
    for (const ExtCap& cap : e.chain) {
      if (cap.dvsec_id == 8) locator = cap.offset;
    }
    ASSERT_NE(locator, 0u);
    std::vector<std::uint32_t> entries;
    for (unsigned i = 0; 0x0c + 8 * i < (cfg(e.address, locator + 4) >> 20); ++i) {
      entries.push_back(cfg(e.address, locator + 0x0c + 8 * i));
      EXPECT_EQ(cfg(e.address, locator + 0x10 + 8 * i), 0u);   // offsets below 4 GiB
    }
    EXPECT_EQ(entries, e.locator);
  }
}

TEST_F(DefaultMachine, EndpointDvsecsCarryTheMemoryRangesAndSerial) {
  const PciAddress mem_b{0, 0x10, 0, 0};   // 2G volatile + 4G persistent
  EXPECT_EQ(cfg(mem_b, 0x104), 0x1002u);                     // DSN low
  EXPECT_EQ(cfg(mem_b, 0x114), 0x002e'0000u);                // 2 HDM ranges, IO, Mem, HW init
  EXPECT_EQ(cfg(mem_b, 0x124), 0u);                          // range 1 size high
  EXPECT_EQ(cfg(mem_b, 0x128), 0x8000'004bu);                // 2 GiB
  EXPECT_EQ(cfg(mem_b, 0x134), 1u);                          // range 2 size high: 4 GiB
  EXPECT_EQ(cfg(mem_b, 0x138), 0x0000'004bu);
  const PciAddress mem_d{0, 0x13, 0, 0};   // 16G
  EXPECT_EQ(cfg(mem_d, 0x124), 4u);
  EXPECT_EQ(cfg(mem_d, 0x128), 0x0000'004bu);
}

TEST_F(DefaultMachine, BarsAreSizedAlignedAndInsideTheBridgeWindows) {
  const std::vector<PciFunctionInfo> functions = machine->functions();
  auto bars_of = [&](const std::string& address) {
    for (const PciFunctionInfo& f : functions) {
      if (f.address.to_string() == address) return f.bars;
    }
    return std::vector<BarInfo>{};
  };
  const std::vector<BarInfo> mem_a = bars_of("0000:0f:00.0");
  ASSERT_EQ(mem_a.size(), 3u);
  EXPECT_EQ(mem_a[0].index, 0u);
  EXPECT_EQ(mem_a[0].base, 0xa030'0000u);
  EXPECT_EQ(mem_a[0].size, 0x1'0000u);
  EXPECT_EQ(mem_a[1].index, 2u);
  EXPECT_EQ(mem_a[1].base, 0xa034'0000u);
  EXPECT_EQ(mem_a[1].size, 0x4'0000u);   // memory device block + 2 CPMU slots
  EXPECT_EQ(mem_a[2].index, 4u);
  EXPECT_EQ(mem_a[2].base, 0xa038'0000u);
  EXPECT_EQ(mem_a[2].size, 0x1000u);
  EXPECT_TRUE(mem_a[0].is_64bit);
  const std::vector<BarInfo> rp0 = bars_of("0000:0c:00.0");
  ASSERT_EQ(rp0.size(), 1u);
  EXPECT_EQ(rp0[0].base, 0xa000'0000u);
  EXPECT_EQ(rp0[0].size, 0x4'0000u);     // component, 1 CPMU, MSI-X
  const PciAddress rp0_address{0, 0x0c, 0, 0};
  EXPECT_EQ(cfg(rp0_address, 0x10), 0xa000'0004u);
  EXPECT_EQ(cfg(rp0_address, 0x20), 0xa080'a010u);           // window a0100000..a08fffff
  EXPECT_EQ(cfg({0, 0x0e, 0, 0}, 0x20), 0xa030'a030u);       // DSP0: just mem A
  EXPECT_EQ(cfg({0, 0x0e, 3, 0}, 0x20) & 0xffff, 0xfff0u);   // empty DSP: window closed
  EXPECT_EQ(cfg({0, 0x0f, 0, 0}, 0x18), 0xa034'0004u);
}

TEST_F(DefaultMachine, BarSizingThroughConfigWritesWorksLikeHardware) {
  const PciAddress mem_a{0, 0x0f, 0, 0};
  ASSERT_TRUE(machine->config_write(mem_a, 0x18, 4, 0xffff'ffff));
  ASSERT_TRUE(machine->config_write(mem_a, 0x1c, 4, 0xffff'ffff));
  EXPECT_EQ(cfg(mem_a, 0x18), 0xfffc'0004u);
  EXPECT_EQ(cfg(mem_a, 0x1c), 0xffff'ffffu);
  ASSERT_TRUE(machine->config_write(mem_a, 0x18, 4, 0xa034'0000));
  ASSERT_TRUE(machine->config_write(mem_a, 0x1c, 4, 0));
  EXPECT_EQ(cfg(mem_a, 0x18), 0xa034'0004u);
  const PciAddress dsp3{0, 0x0e, 3, 0};
  ASSERT_TRUE(machine->config_write(dsp3, 0x10, 4, 0xffff'ffff));
  EXPECT_EQ(cfg(dsp3, 0x10), 0xfffe'0004u);   // 128 KiB: component + MSI-X
}

TEST_F(DefaultMachine, TopologyAccessorsDescribeTheTree) {
  const PciAddress usp{0, 0x0d, 0, 0};
  EXPECT_EQ(machine->kind(usp).value(), FunctionKind::kUpstreamPort);
  EXPECT_EQ(machine->kind({0, 0x0c, 1, 0}).value(), FunctionKind::kRootPort);
  EXPECT_EQ(machine->kind({0, 0x0e, 2, 0}).value(), FunctionKind::kDownstreamPort);
  EXPECT_EQ(machine->kind({0, 0x11, 0, 0}).value(), FunctionKind::kEndpoint);
  EXPECT_EQ(machine->parent(usp).value(), (PciAddress{0, 0x0c, 0, 0}));
  EXPECT_EQ(machine->parent({0, 0x0c, 0, 0}).value(), std::nullopt);
  EXPECT_EQ(machine->children(usp).value(),
            (std::vector<PciAddress>{{0, 0x0e, 0, 0}, {0, 0x0e, 1, 0}, {0, 0x0e, 2, 0}, {0, 0x0e, 3, 0}}));
  EXPECT_TRUE(machine->children({0, 0x0e, 3, 0}).value().empty());
  EXPECT_EQ(machine->cpmu_count({0, 0x13, 0, 0}).value(), 2u);
  EXPECT_EQ(machine->cpmu_count({0, 0x0e, 2, 0}).value(), 0u);
  Result<FunctionKind> missing = machine->kind({0, 0x12, 0, 0});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Errc::kNotFound);
  EXPECT_EQ(missing.error().message(), "0000:12:00.0: no such function in the simulated machine");
}

}  // namespace
}  // namespace cpmu::sim
