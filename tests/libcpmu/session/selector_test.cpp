// The selector grammar over a hand-made machine: every form, globs,
// ambiguous and unknown names.
#include "cpmu/selector.hpp"

#include <gtest/gtest.h>

namespace cpmu {
namespace {

DiscoveredFunction function(const char* address, ComponentKind kind, unsigned cpmus, const char* memdev = "") {
  DiscoveredFunction f;
  f.info.address = *PciAddress::parse(address);
  f.kind = kind;
  f.memdev = memdev;
  for (unsigned i = 0; i < cpmus; ++i) {
    Cpmu c;
    c.instance = i;
    if (*memdev != '\0') {
      c.kernel_device = std::string("pmu_") + memdev + "." + std::to_string(i);
      c.perf_pmu = "cxl_pmu_" + std::string(memdev) + "." + std::to_string(i);
    }
    f.cpmus.push_back(c);
  }
  return f;
}

// A root port, a switch (upstream and one downstream port), two memory
// devices, one of them in domain 1, with two CPMUs each.
DiscoveredMachine machine() {
  DiscoveredMachine m;
  m.functions.push_back(function("0000:0c:00.0", ComponentKind::kRootPort, 1));
  m.functions.push_back(function("0000:0d:00.0", ComponentKind::kSwitchUpstreamPort, 1));
  m.functions.push_back(function("0000:0e:00.0", ComponentKind::kSwitchDownstreamPort, 1));
  m.functions.push_back(function("0000:0f:00.0", ComponentKind::kEndpoint, 2, "mem0"));
  m.functions.push_back(function("0001:10:00.0", ComponentKind::kEndpoint, 2, "mem1"));
  m.functions[1].cxl_port = "port2";
  m.functions[3].cxl_endpoint = "endpoint4";
  return m;
}

std::vector<CpmuRef> cpmus(const char* selector) {
  auto found = select_cpmus(machine(), {selector});
  EXPECT_TRUE(found) << selector << ": " << found.error().message();
  return found ? *found : std::vector<CpmuRef>{};
}

TEST(Selector, FunctionAddressWithOrWithoutDomainChoosesAllItsCpmus) {
  const std::vector<CpmuRef> both = {{3, 0}, {3, 1}};
  EXPECT_EQ(cpmus("0000:0f:00.0"), both);
  EXPECT_EQ(cpmus("0f:00.0"), both);
  EXPECT_EQ(cpmus("0001:10:00.0"), (std::vector<CpmuRef>{{4, 0}, {4, 1}}));
}

TEST(Selector, AddressWithInstanceChoosesOneCpmu) {
  EXPECT_EQ(cpmus("0f:00.0/1"), (std::vector<CpmuRef>{{3, 1}}));
  EXPECT_EQ(cpmus("0000:0f:00.0/0"), (std::vector<CpmuRef>{{3, 0}}));
}

TEST(Selector, KernelNames) {
  EXPECT_EQ(cpmus("mem1"), (std::vector<CpmuRef>{{4, 0}, {4, 1}}));
  EXPECT_EQ(cpmus("1"), (std::vector<CpmuRef>{{4, 0}, {4, 1}})) << "a bare number N means memN";
  EXPECT_EQ(cpmus("cxl_pmu_mem0.1"), (std::vector<CpmuRef>{{3, 1}}));
  EXPECT_EQ(cpmus("pmu_mem1.0"), (std::vector<CpmuRef>{{4, 0}}));
  EXPECT_EQ(cpmus("endpoint4"), (std::vector<CpmuRef>{{3, 0}, {3, 1}}));
  EXPECT_EQ(cpmus("port2"), (std::vector<CpmuRef>{{1, 0}}));
}

TEST(Selector, Kinds) {
  EXPECT_EQ(cpmus("root-port"), (std::vector<CpmuRef>{{0, 0}}));
  EXPECT_EQ(cpmus("upstream-port"), (std::vector<CpmuRef>{{1, 0}}));
  EXPECT_EQ(cpmus("downstream-port"), (std::vector<CpmuRef>{{2, 0}}));
  EXPECT_EQ(cpmus("endpoint"), (std::vector<CpmuRef>{{3, 0}, {3, 1}, {4, 0}, {4, 1}}));
  EXPECT_EQ(parse_component_kind("usp"), std::nullopt);
}

TEST(Selector, Globs) {
  EXPECT_EQ(cpmus("mem*"), (std::vector<CpmuRef>{{3, 0}, {3, 1}, {4, 0}, {4, 1}}));
  EXPECT_EQ(cpmus("cxl_pmu_mem*.1"), (std::vector<CpmuRef>{{3, 1}, {4, 1}}));
  EXPECT_EQ(cpmus("0000:0[cd]:*"), (std::vector<CpmuRef>{{0, 0}, {1, 0}}));
  EXPECT_EQ(cpmus("0e:*"), (std::vector<CpmuRef>{{2, 0}})) << "globs see the address without its domain too";
  EXPECT_EQ(cpmus("*/1"), (std::vector<CpmuRef>{{3, 1}, {4, 1}}));
}

TEST(Selector, SeveralSelectorsChooseEachCpmuOnceInMachineOrder) {
  auto found = select_cpmus(machine(), {"mem1", "root-port", "cxl_pmu_mem1.0"});
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ(*found, (std::vector<CpmuRef>{{0, 0}, {4, 0}, {4, 1}}));
  auto every = select_cpmus(machine(), {});
  ASSERT_TRUE(every);
  EXPECT_EQ(every->size(), 7u);
}

TEST(Selector, UnknownNamesListTheCandidates) {
  auto none = select_cpmus(machine(), {"mem9"});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), Errc::kNotFound);
  EXPECT_NE(none.error().message().find("'mem9' matches no CPMU"), std::string::npos) << none.error().message();
  EXPECT_NE(none.error().message().find("0000:0f:00.0/1 (cxl_pmu_mem0.1)"), std::string::npos)
      << none.error().message();
  // One selector of several that matches nothing is an error too.
  EXPECT_FALSE(select_cpmus(machine(), {"mem0", "0f:01.0"}));
}

TEST(Selector, MalformedAddressesAreErrors) {
  for (const char* bad : {"0f:00.9", "0f:00.0/x", "1:2:3:4", ""}) {
    auto parsed = Selector::parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), Errc::kInvalidArgument) << bad;
  }
}

TEST(Selector, AmbiguousNamesForOneCpmuListTheMatches) {
  auto one = select_one_cpmu(machine(), "cxl_pmu_mem0.0");
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, (CpmuRef{3, 0}));
  auto two = select_one_cpmu(machine(), "mem0");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code(), Errc::kInvalidArgument);
  EXPECT_NE(two.error().message().find("ambiguous"), std::string::npos);
  EXPECT_NE(two.error().message().find("0000:0f:00.0/0, 0000:0f:00.0/1"), std::string::npos)
      << two.error().message();
}

TEST(Selector, FunctionsFallBackWhenNoSelectorIsGiven) {
  auto with_memdev = select_functions(machine(), {}, [](const DiscoveredFunction& f) { return !f.memdev.empty(); });
  ASSERT_TRUE(with_memdev);
  EXPECT_EQ(*with_memdev, (std::vector<std::size_t>{3, 4}));
  auto by_cpmu = select_functions(machine(), {"0f:00.0/1"}, nullptr);
  ASSERT_TRUE(by_cpmu);
  EXPECT_EQ(*by_cpmu, (std::vector<std::size_t>{3})) << "a CPMU selector chooses its function";
  auto none = select_functions(machine(), {"port7"}, nullptr);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message().find("matches no PCI function"), std::string::npos);
}

}  // namespace
}  // namespace cpmu
