// cpmu perf events end to end: the built binary over the simulated machine
// with a kernel tree in cxl_pmu's layout (tests/fixtures/kernel-perf's PMU
// below pmu_mem0.0 below the memory device), each printed string parsed back
// by cpmu's own event-term parser into the event it was printed for.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "../libcpmu/platform/temp_dir.hpp"
#include "cpmu/event_term.hpp"
#include "cpmu/events.hpp"
#include "run_cli.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;

std::string kernel_tree(const fs::path& root) {
  const fs::path device = root / "devices" / "pci0000:0c" / "0000:0f:00.0" / "pmu_mem0.0";
  fs::create_directories(device / "driver");
  fs::copy(std::string(CPMU_FIXTURE_DIR) + "/kernel-perf/event_source/devices/cxl_pmu_mem0.0",
           device / "cxl_pmu_mem0.0", fs::copy_options::recursive);
  fs::create_directories(root / "bus" / "cxl" / "devices");
  fs::create_directory_symlink(device, root / "bus" / "cxl" / "devices" / "pmu_mem0.0");
  fs::create_directories(root / "bus" / "event_source" / "devices");
  fs::create_directory_symlink(device / "cxl_pmu_mem0.0", root / "bus" / "event_source" / "devices" / "cxl_pmu_mem0.0");
  return "--sim --cxl-sysfs " + (root / "bus" / "cxl").string() + " --event-source-sysfs " +
         (root / "bus" / "event_source").string();
}

TEST(PerfEventsCli, EveryStringParsesBackToItsEventAliasesWhereTheKernelHasThem) {
  testing::TempDir dir;
  const std::string source = kernel_tree(dir.path());
  auto run = testing::run_cpmu("perf events " + source);
  ASSERT_EQ(run.status, 0) << run.err;
  const EventCatalogue catalogue = load_event_catalogue(default_event_search_path()).catalogue;
  std::istringstream lines(run.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "cxl_pmu_mem0.0 (0000:0f:00.0/0):");
  std::map<std::string, std::string> strings;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string perf, event;
    words >> perf >> event;
    ASSERT_FALSE(event.empty()) << line;
    strings[event] = perf;
    auto parsed = parse_event_terms(perf, catalogue);
    ASSERT_TRUE(parsed) << perf << ": " << parsed.error().message();
    ASSERT_EQ(parsed->size(), 1u);
    const EventInfo* info = catalogue.find_event(event);
    ASSERT_NE(info, nullptr) << event;
    EXPECT_EQ((*parsed)[0].code, info->code) << perf;
    EXPECT_EQ((*parsed)[0].pmu, "cxl_pmu_mem0.0");
  }
  // The kernel's alias is used where it has one; raw terms otherwise.
  EXPECT_EQ(strings["clock_ticks"], "cxl_pmu_mem0.0/clock_ticks/");
  EXPECT_EQ(strings["m2s_req_memrd"], "cxl_pmu_mem0.0/vid=0x1e98,gid=0x20,mask=0x2/");
  EXPECT_GT(strings.size(), 10u);
}

TEST(PerfEventsCli, WithoutAKernelPmuItSaysSo) {
  auto run = testing::run_cpmu("perf events --sim");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("the kernel exposes no cxl_pmu PMU"), std::string::npos) << run.err;
  auto usage = testing::run_cpmu("perf");
  EXPECT_EQ(usage.status, 2) << usage.err;
}

}  // namespace
}  // namespace cpmu
