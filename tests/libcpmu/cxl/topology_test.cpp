#include "cpmu/topology.hpp"
#include "cpmu/discovery.hpp"

#include <gtest/gtest.h>

#include "../config_bytes.hpp"

namespace cpmu {
namespace {

using cpmu::testing::ConfigBytes;
using cpmu::testing::qemu_config;

DiscoveredFunction qemu_function(const std::string& topology, const std::string& prefix, const char* bdf) {
  auto bytes = qemu_config(topology, prefix);
  PciFunctionInfo info;
  info.address = *PciAddress::parse(bdf);
  return decode_function(ConfigSpace(bytes), info);
}

std::string bdf(const DiscoveredMachine& m, std::size_t i) { return m.functions[i].info.address.to_string(); }

TEST(Topology, QemuFullMachineFormsTwoHostBridgeTrees) {
  DiscoveredMachine m;
  m.functions.push_back(qemu_function("full", "cxl-rp_0c-00.0", "0c:00.0"));
  m.functions.push_back(qemu_function("full", "cxl-rp_0c-01.0", "0c:01.0"));
  m.functions.push_back(qemu_function("full", "cxl-type3_0d-00.0", "0d:00.0"));
  m.functions.push_back(qemu_function("full", "cxl-upstream_0e-00.0", "0e:00.0"));
  m.functions.push_back(qemu_function("full", "cxl-downstream_0f-00.0", "0f:00.0"));
  m.functions.push_back(qemu_function("full", "cxl-downstream_0f-01.0", "0f:01.0"));
  m.functions.push_back(qemu_function("full", "cxl-type3_10-00.0", "10:00.0"));
  m.functions.push_back(qemu_function("full", "cxl-type3_11-00.0", "11:00.0"));
  m.functions.push_back(qemu_function("full", "cxl-rp_de-00.0", "de:00.0"));
  m.functions.push_back(qemu_function("full", "cxl-type3_df-00.0", "df:00.0"));
  auto t = build_topology(m);
  ASSERT_EQ(t.host_bridges.size(), 2u);
  EXPECT_EQ(t.host_bridges[0].name(), "pci0000:0c");
  EXPECT_EQ(t.host_bridges[1].name(), "pci0000:de");
  ASSERT_EQ(t.host_bridges[0].children.size(), 2u);
  EXPECT_EQ(bdf(m, t.host_bridges[0].children[0]), "0000:0c:00.0");
  EXPECT_EQ(bdf(m, t.host_bridges[0].children[1]), "0000:0c:01.0");
  EXPECT_EQ(bdf(m, *t.parent[2]), "0000:0c:00.0");   // type3 under rp0
  EXPECT_EQ(bdf(m, *t.parent[3]), "0000:0c:01.0");   // USP under rp1
  EXPECT_EQ(bdf(m, *t.parent[4]), "0000:0e:00.0");   // DSPs under the USP
  EXPECT_EQ(bdf(m, *t.parent[5]), "0000:0e:00.0");
  EXPECT_EQ(bdf(m, *t.parent[6]), "0000:0f:00.0");
  EXPECT_EQ(bdf(m, *t.parent[7]), "0000:0f:01.0");
  EXPECT_EQ(bdf(m, *t.parent[9]), "0000:de:00.0");
  EXPECT_FALSE(t.parent[0]);
  EXPECT_EQ(t.host_bridge_of[7], 0u);
  EXPECT_EQ(t.host_bridge_of[9], 1u);
  ASSERT_EQ(t.children[3].size(), 2u);
  for (const auto& fn : m.functions) EXPECT_TRUE(fn.problems.empty()) << fn.info.address.to_string();
}

// A type-1 header at `bus` with the given secondary/subordinate numbers.
DiscoveredFunction bridge(const char* address, unsigned secondary, unsigned subordinate) {
  ConfigBytes c(256);
  auto a = *PciAddress::parse(address);
  c.put32(0x00, 0x70758086).put8(0x0e, 0x01).put8(0x18, a.bus).put8(0x19, static_cast<std::uint8_t>(secondary))
      .put8(0x1a, static_cast<std::uint8_t>(subordinate));
  PciFunctionInfo info;
  info.address = a;
  return decode_function(ConfigSpace(c.bytes()), info);
}

TEST(Topology, InconsistentBusNumbersCannotMakeACycle) {
  DiscoveredMachine m;
  m.functions.push_back(bridge("05:00.0", 0x05, 0x06));   // secondary == own bus: would parent itself
  m.functions.push_back(bridge("06:00.0", 0x05, 0x06));   // secondary below own bus: a cycle
  m.functions.push_back(bridge("07:00.0", 0x08, 0x07));   // subordinate below secondary
  auto t = build_topology(m);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(t.parent[i]) << i;
    ASSERT_EQ(m.functions[i].problems.size(), 1u) << i;
    EXPECT_NE(m.functions[i].problems[0].message().find("bridge bus numbers are inconsistent"), std::string::npos);
  }
  EXPECT_EQ(t.host_bridges.size(), 3u);
}

TEST(Topology, ASecondaryBusClaimedTwiceKeepsTheFirstBridge) {
  DiscoveredMachine m;
  m.functions.push_back(bridge("00:01.0", 0x02, 0x02));
  m.functions.push_back(bridge("00:02.0", 0x02, 0x02));
  m.functions.push_back(bridge("02:00.0", 0x03, 0x03));
  auto t = build_topology(m);
  EXPECT_EQ(bdf(m, *t.parent[2]), "0000:00:01.0");
  ASSERT_EQ(m.functions[1].problems.size(), 1u);
  EXPECT_NE(m.functions[1].problems[0].message().find("already claimed by 0000:00:01.0"), std::string::npos);
}

}  // namespace
}  // namespace cpmu
