// The kernel's CXL names from a fake /sys tree shaped like the QEMU switch
// guest's (shared/qemu-cxl/dumps/switch/report.txt), plus a CPMU device.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../config_bytes.hpp"
#include "cpmu/topology.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;

class FakeSysfs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("cpmu-sysfs-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    devices_ = root_ / "devices";
    fs::path hb = devices_ / "pci0000:0c";
    fs::path rp = hb / "0000:0c:00.0";
    fs::path usp = rp / "0000:0d:00.0";
    fs::path dsp0 = usp / "0000:0e:00.0";
    fs::path ep = dsp0 / "0000:0f:00.0";
    fs::create_directories(ep / "mem1");
    fs::create_directories(ep / "pmu_mem1.0" / "driver");
    fs::create_directories(ep / "pmu_mem1.1");
    fs::path acpi_root = devices_ / "platform" / "ACPI0017:00" / "root0";
    fs::create_directories(acpi_root / "port1" / "port2" / "endpoint4");
    fs::create_directory_symlink(hb, acpi_root / "port1" / "uport");
    fs::create_directory_symlink(rp, acpi_root / "port1" / "dport0");
    fs::create_directory_symlink(usp, acpi_root / "port1" / "port2" / "uport");
    fs::create_directory_symlink(dsp0, acpi_root / "port1" / "port2" / "dport0");
    fs::create_directory_symlink(ep / "mem1", acpi_root / "port1" / "port2" / "endpoint4" / "uport");
    fs::path bus = root_ / "bus" / "cxl" / "devices";
    fs::create_directories(bus);
    fs::create_directory_symlink(ep / "mem1", bus / "mem1");
    fs::create_directory_symlink(ep / "pmu_mem1.0", bus / "pmu_mem1.0");
    fs::create_directory_symlink(ep / "pmu_mem1.1", bus / "pmu_mem1.1");
    fs::create_directory_symlink(acpi_root / "port1", bus / "port1");
    fs::create_directory_symlink(acpi_root / "port1" / "port2", bus / "port2");
    fs::create_directory_symlink(acpi_root / "port1" / "port2" / "endpoint4", bus / "endpoint4");
    fs::create_directories(root_ / "bus" / "event_source" / "devices" / "cxl_pmu_mem1.0");
    fs::create_directories(root_ / "bus" / "event_source" / "devices" / "msr");
    roots_.cxl = (root_ / "bus" / "cxl").string();
    roots_.event_source = (root_ / "bus" / "event_source").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_, devices_;
  SysfsRoots roots_;
};

TEST_F(FakeSysfs, ReadsMemdevsPortsEndpointsAndPmus) {
  auto view = read_kernel_cxl_view(roots_);
  ASSERT_EQ(view.memdevs.size(), 1u);
  EXPECT_EQ(view.memdevs[0].name, "mem1");
  EXPECT_EQ(view.memdevs[0].function.to_string(), "0000:0f:00.0");
  ASSERT_EQ(view.ports.size(), 2u);
  EXPECT_EQ(view.ports[0].name, "port1");
  ASSERT_TRUE(view.ports[0].host_bridge);
  EXPECT_EQ(view.ports[0].host_bridge->second, 0x0c);
  ASSERT_EQ(view.ports[0].dports.size(), 1u);
  EXPECT_EQ(view.ports[0].dports[0].second.to_string(), "0000:0c:00.0");
  ASSERT_TRUE(view.ports[1].function);
  EXPECT_EQ(view.ports[1].function->to_string(), "0000:0d:00.0");
  ASSERT_EQ(view.endpoints.size(), 1u);
  EXPECT_EQ(view.endpoints[0].memdev, "mem1");
  ASSERT_EQ(view.pmus.size(), 2u);
  EXPECT_EQ(view.pmus[1].instance, 1u);
  EXPECT_TRUE(view.pmus[0].bound);
  EXPECT_FALSE(view.pmus[1].bound);
  ASSERT_EQ(view.perf_pmus.size(), 1u);
  EXPECT_EQ(view.perf_pmus[0], "cxl_pmu_mem1.0");
}

TEST_F(FakeSysfs, MissingRootsGiveAnEmptyView) {
  auto view = read_kernel_cxl_view(SysfsRoots{(root_ / "nope").string(), (root_ / "nope2").string()});
  EXPECT_TRUE(view.memdevs.empty() && view.ports.empty() && view.pmus.empty() && view.perf_pmus.empty());
}

TEST_F(FakeSysfs, AnnotatesFunctionsBridgesAndCpmuOwners) {
  DiscoveredMachine m;
  for (const char* a : {"0c:00.0", "0d:00.0", "0e:00.0", "0f:00.0"}) {
    DiscoveredFunction fn;
    fn.info.address = *PciAddress::parse(a);
    m.functions.push_back(fn);
  }
  for (unsigned i = 0; i < 3; ++i) {
    Cpmu c;
    c.instance = i;
    m.functions[3].cpmus.push_back(c);
  }
  Topology t;
  t.host_bridges.push_back(HostBridge{0, 0x0c, {}, {0}});
  annotate_topology(m, t, read_kernel_cxl_view(roots_), {(root_ / "locks").string()});
  EXPECT_EQ(t.host_bridges[0].cxl_port, "port1");
  EXPECT_EQ(m.functions[0].cxl_dport, "port1/dport0");
  EXPECT_EQ(m.functions[1].cxl_port, "port2");
  EXPECT_EQ(m.functions[2].cxl_dport, "port2/dport0");
  EXPECT_EQ(m.functions[3].memdev, "mem1");
  EXPECT_EQ(m.functions[3].cxl_endpoint, "endpoint4");
  const auto& cpmus = m.functions[3].cpmus;
  EXPECT_EQ(cpmus[0].owner.kind, CpmuOwnerKind::kKernel);
  EXPECT_EQ(cpmus[0].kernel_device, "pmu_mem1.0");
  EXPECT_EQ(cpmus[0].perf_pmu, "cxl_pmu_mem1.0");
  // pmu_mem1.1 exists but no driver is bound and no perf PMU: nobody owns it.
  EXPECT_EQ(cpmus[1].kernel_device, "pmu_mem1.1");
  EXPECT_EQ(cpmus[1].owner.kind, CpmuOwnerKind::kNone);
  EXPECT_EQ(cpmus[2].kernel_device, "");
  EXPECT_EQ(cpmus[2].owner.kind, CpmuOwnerKind::kNone);
}

}  // namespace
}  // namespace cpmu
