// What `cpmu stat` counts where, on the built-in simulated machine: -e terms
// with CPMU prefixes (cpmu's names and the kernel's perf names), and the
// CPMUs -a, -s, -m and --cpmu choose.
#include <gtest/gtest.h>

#include "cpmu/discovery.hpp"
#include "cxlsim/sim_platform.hpp"
#include "stat_selection.hpp"

namespace cpmu::cli {
namespace {

const EventCatalogue& catalogue() {
  static const CatalogueLoad load = load_event_catalogue(EventSearchPath{});
  return load.catalogue;
}

DiscoveredMachine sim_machine() {
  auto platform = sim::open_sim_platform(std::nullopt, sim::ClockMode::kVirtual);
  EXPECT_TRUE(platform);
  auto machine = discover(**platform);
  EXPECT_TRUE(machine);
  return std::move(*machine);
}

DiscoveredFunction& function_at(DiscoveredMachine& machine, PciAddress address) {
  for (DiscoveredFunction& f : machine.functions) {
    if (f.info.address == address) return f;
  }
  ADD_FAILURE() << "no function " << address.to_string();
  return machine.functions.front();
}

std::vector<StatTerm> terms(const std::string& argument) {
  auto parsed = parse_stat_terms({argument}, catalogue());
  EXPECT_TRUE(parsed) << parsed.error().message();
  return parsed ? *parsed : std::vector<StatTerm>{};
}

std::vector<std::string> names(const std::vector<StatCandidate>& candidates) {
  std::vector<std::string> out;
  for (const StatCandidate& c : candidates) out.push_back(c.name.to_string());
  return out;
}

TEST(StatTerms, CpmuNamePrefixesAreReadWithPositionsInTheArgument) {
  auto t = terms("clock_ticks,0000:0f:00.0/1/ddr_act/,0f:00.0/0/vid=0x1e98,gid=0x20,mask=2/");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].pmu, "");
  EXPECT_EQ(t[0].label, "clock_ticks");
  EXPECT_EQ(t[0].unit, Unit::kCycles);
  EXPECT_EQ(t[1].pmu, "0000:0f:00.0/1");
  EXPECT_EQ(t[1].label, "ddr_act");
  EXPECT_EQ(t[1].position, 13u);
  EXPECT_EQ(t[1].term.text, "0000:0f:00.0/1/ddr_act/");
  EXPECT_EQ(t[2].pmu, "0f:00.0/0");
  EXPECT_EQ(t[2].label, "vid=0x1e98,gid=0x20,mask=2");
  EXPECT_EQ(t[2].position, 37u);
  EXPECT_EQ(t[2].unit, std::nullopt);
  EXPECT_EQ(t[2].request().event.code, (EventCode{0x1e98, 0x20, 2}));
}

TEST(StatTerms, ErrorsInPrefixedTermsPointAtWhatWasWritten) {
  auto parsed = parse_stat_terms({"clock_ticks,0000:0f:00.0/1/ddr_actx/"}, catalogue());
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message(), "-e 'clock_ticks,0000:0f:00.0/1/ddr_actx/': event term "
                                      "'0000:0f:00.0/1/ddr_actx/' at position 28: unknown event 'ddr_actx'");
}

TEST(StatTerms, ModifiersReachTheCountRequest) {
  auto t = terms("m2s_req_memrd,threshold=3,edge,hdm=1");
  ASSERT_EQ(t.size(), 1u);
  const CountRequest r = t[0].request();
  EXPECT_EQ(r.label, "m2s_req_memrd,threshold=3,edge,hdm=1");
  EXPECT_EQ(r.event.threshold, 3);
  EXPECT_TRUE(r.event.edge);
  EXPECT_EQ(r.event.hdm_decoder, 1u);
}

TEST(PlanStat, PerfNameAndCpmuNameChooseTheSameCpmu) {
  DiscoveredMachine machine = sim_machine();
  function_at(machine, {0, 0x0f, 0, 0}).cpmus[1].perf_pmu = "cxl_pmu_mem0.1";
  auto by_perf = plan_stat(machine, terms("cxl_pmu_mem0.1/ddr_act/"), {});
  auto by_cpmu = plan_stat(machine, terms("0000:0f:00.0/1/ddr_act/"), {});
  CpmuFilters option;
  option.cpmus = {"cxl_pmu_mem0.1"};
  auto by_option = plan_stat(machine, terms("ddr_act"), option);
  for (auto* result : {&by_perf, &by_cpmu, &by_option}) {
    ASSERT_TRUE(*result) << result->error().message();
    EXPECT_EQ(names(**result), std::vector<std::string>{"0000:0f:00.0/1"});
    EXPECT_TRUE((**result)[0].explicit_choice);
    EXPECT_EQ((**result)[0].plan->counts[0].placement, Placement::kConfigurable);
  }
}

TEST(PlanStat, AllChoosesEveryCpmuAndFiltersNarrowIt) {
  DiscoveredMachine machine = sim_machine();
  function_at(machine, {0, 0x13, 0, 0}).memdev = "mem3";
  CpmuFilters all;
  all.all = true;
  auto everything = plan_stat(machine, terms("clock_ticks"), all);
  ASSERT_TRUE(everything);
  EXPECT_EQ(everything->size(), 11u);
  EXPECT_FALSE(everything->front().explicit_choice);

  CpmuFilters slot;
  slot.slot = "0f:00";
  auto by_slot = plan_stat(machine, terms("clock_ticks"), slot);
  ASSERT_TRUE(by_slot);
  EXPECT_EQ(names(*by_slot), (std::vector<std::string>{"0000:0f:00.0/0", "0000:0f:00.0/1"}));
  EXPECT_TRUE(by_slot->front().explicit_choice);

  CpmuFilters memdev;
  memdev.memdev = "3";
  auto by_memdev = plan_stat(machine, terms("clock_ticks"), memdev);
  ASSERT_TRUE(by_memdev);
  EXPECT_EQ(names(*by_memdev), (std::vector<std::string>{"0000:13:00.0/0", "0000:13:00.0/1"}));

  CpmuFilters both = slot;
  both.cpmus = {"0000:0f:00.0/1"};
  auto narrowed = plan_stat(machine, terms("clock_ticks"), both);
  ASSERT_TRUE(narrowed);
  EXPECT_EQ(names(*narrowed), std::vector<std::string>{"0000:0f:00.0/1"});
}

TEST(PlanStat, OwnedCpmuIsUnusableNamingTheOwner) {
  DiscoveredMachine machine = sim_machine();
  Cpmu& cpmu = function_at(machine, {0, 0x0f, 0, 0}).cpmus[0];
  cpmu.owner.kind = CpmuOwnerKind::kKernel;
  cpmu.owner.kernel_device = "pmu_mem0.0";
  cpmu.perf_pmu = "cxl_pmu_mem0.0";
  // Automatically: the perf backend counts it.
  auto candidates = plan_stat(machine, terms("0000:0f:00.0/0/clock_ticks/"), {});
  ASSERT_TRUE(candidates);
  ASSERT_EQ(candidates->size(), 1u);
  EXPECT_EQ((*candidates)[0].backend, "perf");
  EXPECT_EQ((*candidates)[0].unusable, "");
  ASSERT_TRUE((*candidates)[0].plan);
  EXPECT_NE(
      (*candidates)[0].plan->counts[0].reason.find("perf backend: the kernel's driver places it on cxl_pmu_mem0.0"),
      std::string::npos);
  // --backend direct: refused, naming the owner and what to use instead.
  CpmuFilters direct;
  direct.backend = BackendChoice::kDirect;
  candidates = plan_stat(machine, terms("0000:0f:00.0/0/clock_ticks/"), direct);
  ASSERT_TRUE(candidates);
  EXPECT_EQ((*candidates)[0].unusable,
            "owned by the kernel's cxl_pmu driver (pmu_mem0.0): the direct backend never touches its registers; "
            "count it with --backend perf (or auto), or perf stat -a -e cxl_pmu_mem0.0/EVENT/");
  EXPECT_TRUE((*candidates)[0].plan) << "the plan is still shown";
}

TEST(PlanStat, TermWithoutACpmuOrFilterGoesToEveryCpmuAsWithAll) {
  DiscoveredMachine machine = sim_machine();
  auto bare = plan_stat(machine, terms("clock_ticks"), {});
  ASSERT_TRUE(bare) << bare.error().message();
  CpmuFilters all;
  all.all = true;
  auto with_all = plan_stat(machine, terms("clock_ticks"), all);
  ASSERT_TRUE(with_all);
  EXPECT_EQ(names(*bare), names(*with_all));
  EXPECT_EQ(bare->size(), 11u);
  for (const StatCandidate& c : *bare) EXPECT_FALSE(c.explicit_choice) << c.name.to_string();
}

}  // namespace
}  // namespace cpmu::cli

namespace cpmu::cli {
namespace {

TEST(StatTerms, PerfGroupsAreNumberedOverEveryEventValueAndReachTheRequest) {
  auto parsed = parse_stat_terms({"{clock_ticks,m2s_req_memrd},ddr_act", "{0000:0f:00.0/1/clock_ticks/}"}, catalogue());
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].group, 0u);
  EXPECT_EQ((*parsed)[1].group, 0u);
  EXPECT_FALSE((*parsed)[2].group);
  EXPECT_EQ((*parsed)[2].position, 29u);
  EXPECT_EQ((*parsed)[3].group, 1u);
  EXPECT_EQ((*parsed)[3].pmu, "0000:0f:00.0/1");
  EXPECT_EQ((*parsed)[1].request().group, 0u);
  auto bad = parse_stat_terms({"clock_ticks,{ddr_act"}, catalogue());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "-e 'clock_ticks,{ddr_act': position 13: '{' is never closed");
}

TEST(PlanStat, APmuGlobChoosesEveryCpmuWhosePerfPmuItMatches) {
  DiscoveredMachine machine = sim_machine();
  for (unsigned i = 0; i < 2; ++i) {
    Cpmu& cpmu = function_at(machine, {0, 0x0f, 0, 0}).cpmus[i];
    cpmu.owner.kind = CpmuOwnerKind::kKernel;
    cpmu.owner.kernel_device = "pmu_mem0." + std::to_string(i);
    cpmu.kernel_device = cpmu.owner.kernel_device;
    cpmu.perf_pmu = "cxl_" + cpmu.kernel_device;
  }
  auto parsed = parse_stat_terms({"cxl_pmu_mem*/clock_ticks/"}, catalogue());
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ((*parsed)[0].pmu, "cxl_pmu_mem*");
  EXPECT_EQ((*parsed)[0].label, "clock_ticks");
  auto candidates = plan_stat(machine, *parsed, {});
  ASSERT_TRUE(candidates) << candidates.error().message();
  ASSERT_EQ(candidates->size(), 2u);
  EXPECT_EQ((*candidates)[0].backend, "perf");
  EXPECT_EQ((*candidates)[1].name.to_string(), "0000:0f:00.0/1");
}

}  // namespace
}  // namespace cpmu::cli
