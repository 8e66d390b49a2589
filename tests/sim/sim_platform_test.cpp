// The "sim" platform backend: every Platform call over the default machine,
// with the errors a real backend gives for bad addresses, BARs and offsets.
#include "cxlsim/sim_platform.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <cstdio>
#include <fstream>

#include "cpmu/regs/cpmu.hpp"

namespace cpmu::sim {
namespace {

const PciAddress kMemA{0, 0x0f, 0, 0};
const PciAddress kMemB{0, 0x10, 0, 0};
const PciAddress kUpstream{0, 0x0d, 0, 0};

class SimPlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<SimPlatform>> opened = open_sim_platform(std::nullopt, ClockMode::kVirtual);
    ASSERT_TRUE(opened) << opened.error().message();
    platform = std::move(*opened);
  }
  std::unique_ptr<SimPlatform> platform;
};

TEST_F(SimPlatformTest, IsNamedSim) { EXPECT_EQ(platform->name(), "sim"); }

TEST_F(SimPlatformTest, EnumeratesTheDefaultMachine) {
  Result<std::vector<PciFunctionInfo>> functions = platform->enumerate();
  ASSERT_TRUE(functions);
  ASSERT_EQ(functions->size(), 11u);
  const PciFunctionInfo& mem_a = functions->at(7);
  EXPECT_EQ(mem_a.address, kMemA);
  EXPECT_EQ(mem_a.vendor_id, 0x1b36);
  EXPECT_EQ(mem_a.device_id, 0xc003);
  EXPECT_EQ(mem_a.class_code, 0x050210u);
  EXPECT_EQ(mem_a.revision, 1);
  EXPECT_EQ(mem_a.header_type, 0);
  ASSERT_EQ(mem_a.bars.size(), 3u);
  EXPECT_EQ(mem_a.bars[1].index, 2u);
  EXPECT_EQ(mem_a.bars[1].size, 0x4'0000u);
  EXPECT_EQ(functions->at(0).header_type, 1);
  EXPECT_TRUE(functions->at(0).driver.empty());
}

TEST_F(SimPlatformTest, ReadConfigReturnsTheFull4KiB) {
  Result<std::vector<std::uint8_t>> config = platform->read_config(kMemA);
  ASSERT_TRUE(config);
  ASSERT_EQ(config->size(), 4096u);
  EXPECT_EQ((*config)[0], 0x36);
  EXPECT_EQ((*config)[1], 0x1b);
  EXPECT_EQ((*config)[0x100], 0x03);   // DSN in extended space
  EXPECT_EQ(platform->config_read32(kMemA, 0x144).value(), 0x1701'0023u);
}

TEST_F(SimPlatformTest, ConfigWritesReachTheDoeMailbox) {
  const unsigned doe = 0x158;
  for (std::uint32_t dw : {0x0000'0001u, 3u, 1u}) ASSERT_TRUE(platform->config_write32(kUpstream, doe + 0x10, dw));
  ASSERT_TRUE(platform->config_write32(kUpstream, doe + 0x08, 0x8000'0000));
  std::vector<std::uint32_t> response;
  for (int i = 0; i < 3; ++i) {
    response.push_back(platform->config_read32(kUpstream, doe + 0x14).value());
    ASSERT_TRUE(platform->config_write32(kUpstream, doe + 0x14, 0));
  }
  // Index 1: CXL table access (0x1E98, type 2), the last protocol.
  EXPECT_EQ(response, (std::vector<std::uint32_t>{0x0000'0001, 3, 0x0002'1e98}));
}

TEST_F(SimPlatformTest, BadConfigAccessesAreErrors) {
  Result<std::uint32_t> misaligned = platform->config_read32(kMemA, 0x102);
  ASSERT_FALSE(misaligned);
  EXPECT_EQ(misaligned.error().code(), Errc::kInvalidArgument);
  EXPECT_EQ(misaligned.error().message(), "0000:0f:00.0: config offset 0x102 must be a multiple of 4 below 0x1000");
  EXPECT_FALSE(platform->config_write32(kMemA, 0x1000, 0));
  EXPECT_EQ(platform->config_read32({0, 0x22, 0, 0}, 0).error().code(), Errc::kNotFound);
  EXPECT_EQ(platform->read_config({0, 0x22, 0, 0}).error().code(), Errc::kNotFound);
}

TEST_F(SimPlatformTest, MappedBarReadsAndWritesTheCpmu) {
  // mem A's first CPMU sits in BAR 2 at 0x10000.
  Result<std::unique_ptr<Mmio>> window = platform->map_bar(kMemA, 2, 0x1'0000, regs::cpmu::kBlockSize);
  ASSERT_TRUE(window) << window.error().message();
  Mmio& cpmu = **window;
  EXPECT_EQ(cpmu.size(), regs::cpmu::kBlockSize);
  EXPECT_EQ(cpmu.read64(regs::cpmu::kCapability), 0x1007'1001'0050'3007u);
  EXPECT_EQ(cpmu.read32(regs::cpmu::kCapability + 4), 0x1007'1001u);
  cpmu.write64(regs::cpmu::kFreeze, 0xff);
  EXPECT_EQ(cpmu.read64(regs::cpmu::kFreeze), 0xffu);
  cpmu.write32(regs::cpmu::kFreeze, 0);
  EXPECT_EQ(cpmu.read64(regs::cpmu::kFreeze), 0u);
}

TEST_F(SimPlatformTest, AccessesOutsideTheWindowReadAllOnes) {
  std::unique_ptr<Mmio> window = platform->map_bar(kMemA, 2, 0x1'0000, 0x1000).value();
  EXPECT_EQ(window->read32(0x1000), 0xffff'ffffu);
  EXPECT_EQ(window->read64(0xffc), ~0ULL);   // straddles the end
  EXPECT_EQ(window->read32(0x2), 0xffff'ffffu);   // misaligned
  window->write64(0x1000, 0);   // dropped, no crash
}

TEST_F(SimPlatformTest, MapBarRejectsMissingBarsAndOversizedWindows) {
  Result<std::unique_ptr<Mmio>> no_bar = platform->map_bar(kMemA, 1, 0, 0x1000);
  ASSERT_FALSE(no_bar);
  EXPECT_EQ(no_bar.error().code(), Errc::kNotFound);
  EXPECT_EQ(no_bar.error().message(), "0000:0f:00.0: BAR 1 is not implemented");
  Result<std::unique_ptr<Mmio>> too_big = platform->map_bar(kMemA, 2, 0x3'0000, 0x2'0000);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code(), Errc::kInvalidArgument);
  EXPECT_EQ(too_big.error().message(), "0000:0f:00.0: window [0x30000, 0x50000) does not fit in BAR 2 (0x40000 bytes)");
  EXPECT_FALSE(platform->map_bar(kMemA, 2, 0, 0));
  EXPECT_EQ(platform->map_bar({0, 0x22, 0, 0}, 0, 0, 0x1000).error().code(), Errc::kNotFound);
}

TEST_F(SimPlatformTest, InterruptSourceFiresOnCounterOverflow) {
  Result<std::unique_ptr<InterruptSource>> irq = platform->interrupt(kMemB, 3);
  ASSERT_TRUE(irq);
  std::unique_ptr<Mmio> cpmu = platform->map_bar(kMemB, 2, 0x1'0000, regs::cpmu::kBlockSize).value();
  namespace cfg = regs::cpmu::counter_cfg;
  cpmu->write64(regs::cpmu::counter_config(3), cfg::kEnable.mask() | cfg::kIntOnOverflow.mask());
  ASSERT_TRUE(platform->machine().advance(20'000'000));   // 80000 reads counted: its 16 bits wrapped
  pollfd p{(*irq)->fd(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 0), 1);
  EXPECT_GE((*irq)->consume().value(), 1u);
  EXPECT_FALSE(platform->interrupt(kMemB, 99));
}

TEST_F(SimPlatformTest, SurpriseRemovalReadsAllOnesEverywhere) {
  std::unique_ptr<Mmio> cpmu = platform->map_bar(kMemA, 2, 0x1'0000, regs::cpmu::kBlockSize).value();
  ASSERT_TRUE(platform->machine().inject(kMemA, SurpriseRemoval{}));
  EXPECT_EQ(platform->config_read32(kMemA, 0).value(), 0xffff'ffffu);
  EXPECT_EQ(platform->read_config(kMemA).value(), std::vector<std::uint8_t>(4096, 0xff));
  EXPECT_EQ(cpmu->read64(regs::cpmu::kCapability), ~0ULL);
  EXPECT_EQ(platform->enumerate().value().size(), 11u);   // enumeration was done before the removal
}

TEST(SimPlatformOpen, ReadsATopologyFileOrReportsWhyNot) {
  const std::string path = ::testing::TempDir() + "sim_platform_test_topology.json";
  std::ofstream(path) << R"({"schema_version": 1, "host_bridges": [{"domain": 1, "root_bus": 0,
      "root_ports": [{"device": 2, "link": {"speed_gts": 16, "width": 4}}]}]})";
  Result<std::unique_ptr<SimPlatform>> platform = open_sim_platform(path, ClockMode::kVirtual);
  std::remove(path.c_str());
  ASSERT_TRUE(platform) << platform.error().message();
  std::vector<PciFunctionInfo> functions = (*platform)->enumerate().value();
  ASSERT_EQ(functions.size(), 1u);
  EXPECT_EQ(functions[0].address.to_string(), "0001:00:02.0");
  Result<std::unique_ptr<SimPlatform>> missing = open_sim_platform(std::string("/nonexistent.json"), ClockMode::kVirtual);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "/nonexistent.json: cannot open topology file");
}

TEST(SimPlatformOpen, RealClockModeRuns) {
  Result<std::unique_ptr<SimPlatform>> platform = open_sim_platform(std::nullopt, ClockMode::kReal);
  ASSERT_TRUE(platform);
  EXPECT_FALSE((*platform)->machine().advance(1));
  EXPECT_EQ((*platform)->config_read32(kMemA, 0).value(), 0xc003'1b36u);
}

}  // namespace
}  // namespace cpmu::sim
