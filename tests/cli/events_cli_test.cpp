// cpmu events: each CPMU lists exactly what its registers let it count. The
// expectation is computed here from the capability registers (through
// discovery of the same simulated machine) and the scheduler's plan, not from
// a list.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "cpmu/counter_scheduler.hpp"
#include "cpmu/cpmu_name.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/events.hpp"
#include "cpmu/json.hpp"
#include "cxlsim/sim_platform.hpp"
#include "run_cli.hpp"

namespace cpmu {
namespace {

using testing::run_cpmu;

struct Expected {
  std::set<std::string> names;
  std::set<std::string> fixed_only;
};

// For every catalogue event: countable iff the scheduler can place it alone;
// fixed-only iff no configurable counter exists or no Event Capabilities
// register with its VID/GID covers its mask.
std::map<std::string, Expected> expected_from_registers(const EventCatalogue& catalogue,
                                                        const std::optional<std::string>& topology) {
  auto platform = sim::open_sim_platform(topology, sim::ClockMode::kVirtual);
  EXPECT_TRUE(platform);
  auto machine = discover(**platform);
  EXPECT_TRUE(machine);
  std::map<std::string, Expected> out;
  for (const DiscoveredFunction& fn : machine->functions) {
    for (const Cpmu& cpmu : fn.cpmus) {
      EXPECT_TRUE(cpmu.capabilities);
      const CpmuCapabilities& caps = *cpmu.capabilities;
      bool configurable_counter = false;
      for (const CounterInfo& c : caps.counters) configurable_counter |= c.type == CounterType::kConfigurable;
      Expected& want = out[CpmuName{fn.info.address, cpmu.instance}.to_string()];
      for (const EventInfo& event : catalogue.events()) {
        CountRequest request;
        request.label = event.name;
        request.event.code = event.code;
        CountPlan plan = plan_counts(caps, {request});
        if (plan.counts.at(0).placement == Placement::kNotSupported) continue;
        want.names.insert(event.name);
        bool by_capability = false;
        for (const EventCapability& cap : caps.event_capabilities) {
          by_capability |= cap.vendor_id == event.code.vid && cap.group_id == event.code.gid &&
                           (event.code.mask & ~cap.supported_events) == 0;
        }
        if (!(configurable_counter && by_capability)) want.fixed_only.insert(event.name);
      }
    }
  }
  return out;
}

std::string topology(const std::string& name) { return std::string(CPMU_TOPOLOGY_DIR) + "/" + name; }

void expect_listing_matches_registers(const std::optional<std::string>& file) {
  CatalogueLoad load = load_event_catalogue(EventSearchPath{});
  ASSERT_TRUE(load.issues.empty());
  const auto expected = expected_from_registers(load.catalogue, file);
  ASSERT_FALSE(expected.empty());

  auto run = run_cpmu("events --json " + (file ? "--topology " + *file : std::string("--sim")));
  ASSERT_EQ(run.status, 0) << run.err;
  auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["schema_version"], 2);
  ASSERT_EQ(json["cpmus"].size(), expected.size());
  for (const auto& cpmu : json["cpmus"]) {
    const std::string name = cpmu["cpmu"];
    SCOPED_TRACE(name);
    ASSERT_TRUE(expected.count(name));
    Expected got;
    for (const auto& e : cpmu["events"]) {
      got.names.insert(e["name"].get<std::string>());
      if (e["fixed_only"].get<bool>()) got.fixed_only.insert(e["name"].get<std::string>());
    }
    EXPECT_EQ(got.names, expected.at(name).names);
    EXPECT_EQ(got.fixed_only, expected.at(name).fixed_only);
  }
}

TEST(CpmuEvents, EachSimulatedCpmuListsExactlyWhatItsRegistersAllow) {
  expect_listing_matches_registers(std::nullopt);
}

TEST(CpmuEvents, EventsOnlyFixedOrFreeRunningCountersCountAreMarkedFixedOnly) {
  expect_listing_matches_registers(topology("fixed-only.json"));
  auto run = run_cpmu("events --json --topology " + topology("fixed-only.json"));
  auto json = nlohmann::json::parse(run.out);
  std::set<std::string> fixed_only;
  for (const auto& e : json["cpmus"][0]["events"]) {
    if (e["fixed_only"].get<bool>()) fixed_only.insert(e["name"].get<std::string>());
  }
  EXPECT_EQ(fixed_only, (std::set<std::string>{"clock_ticks", "m2s_req_memrd"}));
  EXPECT_NE(run_cpmu("events --topology " + topology("fixed-only.json")).out.find("[fixed counter only]"),
            std::string::npos);
}

TEST(CpmuEvents, VendorEventsOfTheSimulatorAreNamedByTheVendorFile) {
  auto run = run_cpmu("events --sim");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("cxlsim_link_crc_errors"), std::string::npos);
}

TEST(CpmuEvents, MetricsAreListedWithTheirUnitsOnRequest) {
  auto plain = run_cpmu("events --sim --json");
  auto with = run_cpmu("events --sim --json --metrics");
  ASSERT_EQ(with.status, 0) << with.err;
  auto json = nlohmann::json::parse(with.out);
  EXPECT_FALSE(nlohmann::json::parse(plain.out)["cpmus"][0].contains("metrics"));
  std::size_t listed = 0;
  for (const auto& cpmu : json["cpmus"]) {
    for (const auto& m : cpmu["metrics"]) {
      EXPECT_FALSE(m["unit"].get<std::string>().empty());
      EXPECT_FALSE(m["formula"].get<std::string>().empty());
      ++listed;
    }
  }
  EXPECT_GT(listed, 0u);
}

TEST(CpmuEvents, OneCpmuCanBeSelectedByName) {
  auto all = nlohmann::json::parse(run_cpmu("events --sim --json").out);
  const std::string first = all["cpmus"][0]["cpmu"];
  auto one = run_cpmu("events --sim --json " + first);
  ASSERT_EQ(one.status, 0) << one.err;
  auto json = nlohmann::json::parse(one.out);
  ASSERT_EQ(json["cpmus"].size(), 1u);
  EXPECT_EQ(json["cpmus"][0]["cpmu"], first);
}

TEST(CpmuEvents, UnknownOrMalformedCpmuIsAUsageError) {
  auto missing = run_cpmu("events --sim 0000:0c:00.0/9");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("0000:0c:00.0/9"), std::string::npos) << missing.err;
  auto garbled = run_cpmu("events --sim zz:00.0/0");
  EXPECT_EQ(garbled.status, 2);
  EXPECT_NE(garbled.err.find("zz:00.0"), std::string::npos) << garbled.err;
}

TEST(CpmuEvents, MachineWithoutCpmusSaysSo) {
  auto run = run_cpmu("events --dump " + testing::qemu_dump("switch"));
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("no CPMU"), std::string::npos) << run.err;
}

// --catalogue: the catalogue itself, no machine; the expectation is what the
// library loads from the same search path.
TEST(CpmuEventsCatalogue, ListsTheSearchPathsCatalogueWithoutAMachine) {
  const CatalogueLoad load = load_event_catalogue(default_event_search_path());
  auto run = run_cpmu("events --catalogue --json");
  ASSERT_EQ(run.status, load.issues.empty() ? 0 : 1) << run.err;
  const auto out = nlohmann::json::parse(run.out);
  EXPECT_EQ(out["schema_version"], json::kSchemaVersion);
  EXPECT_EQ(out["type"], "catalogue");
  std::set<std::string> listed, loaded;
  for (const auto& e : out["events"]) listed.insert(e["name"].get<std::string>());
  for (const EventInfo& e : load.catalogue.events()) loaded.insert(e.name);
  EXPECT_EQ(listed, loaded);
  EXPECT_TRUE(listed.count("m2s_req_memrd")) << "the built-in catalogue is part of it";
  ASSERT_EQ(out["metrics"].size(), load.catalogue.metrics().size());
  EXPECT_EQ(out["issues"].size(), load.issues.size());

  auto text = run_cpmu("events --catalogue");
  EXPECT_NE(text.out.find(fmt::format("catalogue: {} events and aggregates, {} metrics\n", loaded.size(),
                                      load.catalogue.metrics().size())),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("    m2s_req_memrd "), std::string::npos);
}

class CatalogueFile {
 public:
  explicit CatalogueFile(const std::string& text)
      : path_(std::filesystem::path(::testing::TempDir()) /
              ("cpmu-catalogue-" + std::to_string(::getpid()) + ".json")) {
    std::ofstream(path_) << text;
  }
  ~CatalogueFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(CpmuEventsCatalogue, AFileAloneIsListedWithoutTheBuiltInCatalogue) {
  CatalogueFile file(R"({"schema_version": 1,
 "groups": [{"vid": 4660, "gid": 7, "name": "test group"}],
 "events": [{"name": "probe_event", "vid": 4660, "gid": 7, "bit": 3, "unit": "events", "description": "A probe."}]})");
  auto run = run_cpmu("events --catalogue " + file.path() + " --json");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto out = nlohmann::json::parse(run.out);
  ASSERT_EQ(out["events"].size(), 1u);
  EXPECT_EQ(out["events"][0]["name"], "probe_event");
  EXPECT_EQ(out["events"][0]["vid"], 4660);
  EXPECT_EQ(out["events"][0]["mask"], 8);
  EXPECT_TRUE(out["metrics"].empty());
  auto text = run_cpmu("events --catalogue " + file.path());
  EXPECT_NE(text.out.find("  test group [vid 0x1234 gid 0x0007]:\n    probe_event "), std::string::npos) << text.out;
}

TEST(CpmuEventsCatalogue, ABadFileIsAnErrorNamingFileLineAndWhere) {
  CatalogueFile syntax("{\"schema_version\": 1,\n \"events\": [ {\"name\": \"x\", ");
  auto cut = run_cpmu("events --catalogue " + syntax.path());
  EXPECT_EQ(cut.status, 1);
  // Line 2, column: the end of the text, where the input ran out.
  EXPECT_NE(cut.err.find(syntax.path() + ":2:28: JSON syntax error"), std::string::npos) << cut.err;
  CatalogueFile range("{\"schema_version\": 1,\n \"events\": [{\"name\": \"x\", \"vid\": 1, \"gid\": 2, \"bit\": 99, "
                      "\"unit\": \"events\", \"description\": \"d\"}]}");
  auto bad = run_cpmu("events --catalogue " + range.path() + " --json");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find(range.path() + ":2: /events/0/bit: 99 is out of range"), std::string::npos) << bad.err;
  EXPECT_EQ(nlohmann::json::parse(bad.out)["issues"].size(), 1u);
  auto missing = run_cpmu("events --catalogue /nonexistent/cpmu.json");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("/nonexistent/cpmu.json: no such file or directory"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace cpmu
