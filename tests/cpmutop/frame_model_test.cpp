// cpmutop's frame model (cpmutop/frame_model.cpp) on snapshots of the
// simulated machine's monitor: every row shows the monitor's own numbers,
// the tree follows the topology, utilisation is against CDAT or the link,
// the conservation check and flags mark what they should, and the batch
// text shows the frame's numbers.
#include "frame_model.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "batch_output.hpp"
#include "cpmu/session.hpp"
#include "cxlsim/sim_platform.hpp"
#include "live_feed.hpp"

namespace cpmu::top {
namespace {

struct Machine {
  std::unique_ptr<Session> session;
  sim::SimulatedMachine* sim = nullptr;
};

Machine open_sim(const std::string& topology_file = "") {
  SessionOptions options;
  options.source.backend = "sim";
  options.source.virtual_time = true;
  options.source.topology_file = topology_file;
  auto session = Session::open(options);
  EXPECT_TRUE(session) << session.error().message();
  Machine m;
  m.sim = &dynamic_cast<sim::SimPlatform&>((*session)->platform()).machine();
  m.session = std::move(*session);
  return m;
}

// Counts the default events on every CPMU that can, as cpmutop does, and
// returns a snapshot after `ns` of machine time.
std::shared_ptr<const Snapshot> snapshot_after(Machine& m, std::uint64_t ns, std::unique_ptr<Monitor>& monitor) {
  m.session->cdat();
  Result<CountingPlan> plan = plan_counting(*m.session, Settings{});
  EXPECT_TRUE(plan) << plan.error().message();
  plan->options.monitor.drive = MonitorDrive::kManual;
  plan->options.monitor.now = [sim = m.sim] { return sim->now_ns(); };
  auto counting = m.session->count(std::move(plan->targets), std::move(plan->options));
  EXPECT_TRUE(counting) << counting.error().message();
  monitor = std::move(counting->monitor);
  EXPECT_TRUE(monitor->start());
  EXPECT_TRUE(m.sim->advance(ns));
  return monitor->sample_now();
}

const Row* find(const Frame& f, const std::string& id) {
  for (const Row& r : f.rows) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

TEST(FrameModel, RowsShowTheMonitorsNumbersInTheTopologyTree) {
  Machine m = open_sim();
  std::unique_ptr<Monitor> monitor;
  auto snapshot = snapshot_after(m, 500'000'000, monitor);
  ASSERT_TRUE(snapshot);
  Settings settings;
  const Frame frame = build_frame({snapshot.get(), "simulated", nullptr, &settings, nullptr, nullptr, ""});
  // Every CPMU row's READ and WRITE are the monitor's metrics; REQ/s the
  // sum of its request rates.
  std::size_t checked = 0;
  for (std::size_t i = 0; i < snapshot->sources.size(); ++i) {
    const std::string name = snapshot->sources[i].identity->name.to_string();
    const Row* row = find(frame, name);
    ASSERT_NE(row, nullptr) << name;
    std::map<std::string, double> metric;
    for (const MetricValue& v : snapshot->metrics) {
      if (v.source == i && v.interval_value) metric[v.name] = *v.interval_value;
    }
    if (metric.count("read_bandwidth")) {
      ASSERT_TRUE(row->read) << name;
      EXPECT_DOUBLE_EQ(*row->read, metric["read_bandwidth"]) << name;
      ++checked;
    }
    if (metric.count("write_bandwidth")) {
      ASSERT_TRUE(row->write) << name;
      EXPECT_DOUBLE_EQ(*row->write, metric["write_bandwidth"]) << name;
    }
    double requests = 0;
    bool any = false;
    for (const SeriesValue& s : snapshot->series) {
      if (s.info->source == i && (s.info->label == "m2s_req_all" || s.info->label == "m2s_rwd_memwr_all") &&
          s.interval.rate) {
        requests += *s.interval.rate;
        any = true;
      }
    }
    if (any) {
      ASSERT_TRUE(row->requests) << name;
      EXPECT_DOUBLE_EQ(*row->requests, requests) << name;
    }
  }
  EXPECT_GE(checked, 3u);
  // The tree: host bridge, root port, switch, ports, endpoints, CPMUs.
  ASSERT_FALSE(frame.rows.empty());
  EXPECT_EQ(frame.rows[0].id, "pci0000:0c");
  const Row* usp = find(frame, "0000:0d:00.0");
  ASSERT_NE(usp, nullptr);
  EXPECT_EQ(usp->kind, "upstream-port");
  EXPECT_EQ(usp->depth, 2);
  const Row* endpoint = find(frame, "0000:0f:00.0");
  ASSERT_NE(endpoint, nullptr);
  EXPECT_EQ(endpoint->depth, 4);
  EXPECT_EQ(endpoint->capacity_from, "cdat");
  // The root port has no CDAT: its link (32 GT/s x16) is the capacity.
  const Row* port = find(frame, "0000:0c:00.0/0");
  ASSERT_NE(port, nullptr);
  EXPECT_EQ(port->capacity_from, "link");
  ASSERT_TRUE(port->util && port->read && port->write);
  EXPECT_DOUBLE_EQ(*port->util, std::max(*port->read, *port->write) / link_bytes_per_second(32, 16));
  // Totals: the topmost counting components (the root port with the switch below).
  ASSERT_TRUE(frame.read);
  EXPECT_GE(*frame.read, *port->read);
  // The batch text shows these numbers.
  const std::string text = batch_text(frame, settings);
  EXPECT_NE(text.find("0000:0d:00.0 USP"), std::string::npos) << text;
  EXPECT_NE(text.find("cpmutop - simulated"), std::string::npos);
}

// The default machine with the upstream port's CPMU on every downstream
// port too, so that each port counts reads and writes: the conservation
// check then has every figure it needs.
std::string fully_counted_switch(const std::filesystem::path& dir) {
  std::ifstream in(std::string(CPMU_SOURCE_DIR) + "/sim/topologies/default.json");
  nlohmann::json topology = nlohmann::json::parse(in);
  auto& sw = topology["host_bridges"][0]["root_ports"][0]["switch"];
  for (auto& port : sw["downstream_ports"]) port["cpmus"] = sw["upstream_port"]["cpmus"];
  const std::string path = (dir / "full-switch.json").string();
  std::ofstream(path) << topology.dump();
  return path;
}

TEST(FrameModel, TheConservationCheckMarksASwitchWhosePortsDisagree) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cpmutop-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  Machine m = open_sim(fully_counted_switch(dir));
  std::filesystem::remove_all(dir);
  std::unique_ptr<Monitor> monitor;
  auto snapshot = snapshot_after(m, 500'000'000, monitor);
  ASSERT_TRUE(snapshot);
  Settings settings;
  Frame honest = build_frame({snapshot.get(), "simulated", nullptr, &settings, nullptr, nullptr, ""});
  EXPECT_TRUE(honest.conservation.empty()) << honest.conservation.front();
  const Row* checked = find(honest, "0000:0e:02.0");
  ASSERT_TRUE(checked && checked->read && checked->write) << "every downstream port counts";
  // The upstream port claims twice the writes of its downstream ports.
  Snapshot doctored = *snapshot;
  for (MetricValue& v : doctored.metrics) {
    if (doctored.sources[v.source].identity->name.to_string() == "0000:0d:00.0/0" && v.name == "write_bandwidth") {
      v.interval_value = *v.interval_value * 2 + 1e9;
    }
  }
  const Frame marked = build_frame({&doctored, "simulated", nullptr, &settings, nullptr, nullptr, ""});
  const Row* usp = find(marked, "0000:0d:00.0");
  ASSERT_NE(usp, nullptr);
  EXPECT_NE(usp->flags.find('C'), std::string::npos) << usp->flags;
  ASSERT_EQ(marked.conservation.size(), 1u);
  EXPECT_NE(marked.conservation[0].find("0000:0d:00.0: write"), std::string::npos) << marked.conservation[0];
}

TEST(FrameModel, FlagsFilterSortAndAlerts) {
  Machine m = open_sim();
  std::unique_ptr<Monitor> monitor;
  auto snapshot = snapshot_after(m, 500'000'000, monitor);
  ASSERT_TRUE(snapshot);
  Snapshot s = *snapshot;
  s.sources[1].health = SourceHealth::kRemoved;
  s.sources[1].error = "gone";
  std::vector<IdleCpmu> idle{{*s.sources[0].identity, true, "owned by the kernel"}};
  idle[0].identity.name.instance = 7;
  Settings settings;
  settings.tree = false;
  settings.sort = Column::kRead;
  auto alert = parse_alert("read>1G");
  ASSERT_TRUE(alert);
  std::vector<Alert> alerts{*alert};
  const Frame f = build_frame({&s, "simulated", &idle, &settings, &alerts, nullptr, ""});
  const Row* removed = find(f, s.sources[1].identity->name.to_string());
  ASSERT_NE(removed, nullptr);
  EXPECT_NE(removed->flags.find('!'), std::string::npos);
  const Row* kernel = find(f, idle[0].identity.name.to_string());
  ASSERT_NE(kernel, nullptr);
  EXPECT_NE(kernel->flags.find('K'), std::string::npos);
  // Flat, by READ, biggest first; rows without a value last.
  for (std::size_t i = 1; i < f.rows.size(); ++i) {
    if (f.rows[i].read) {
      ASSERT_TRUE(f.rows[i - 1].read);
      EXPECT_GE(*f.rows[i - 1].read, *f.rows[i].read);
    }
  }
  for (const Row& r : f.rows) EXPECT_EQ(r.alert, r.read && *r.read > 1e9) << r.id;
  EXPECT_FALSE(f.alerts.empty());
  // Filter: the rows of one branch (and in a tree, their ancestors).
  settings.tree = true;
  const Frame filtered = build_frame({&s, "simulated", nullptr, &settings, nullptr, nullptr, "10:00"});
  EXPECT_NE(find(filtered, "0000:10:00.0"), nullptr);
  EXPECT_NE(find(filtered, "0000:0d:00.0"), nullptr);
  EXPECT_EQ(find(filtered, "0000:13:00.0"), nullptr);
  // Collapse hides a subtree.
  const std::set<std::string> collapsed{"0000:0d:00.0"};
  const Frame folded = build_frame({&s, "simulated", nullptr, &settings, nullptr, &collapsed, ""});
  EXPECT_NE(find(folded, "0000:0d:00.0"), nullptr);
  EXPECT_EQ(find(folded, "0000:0f:00.0"), nullptr);
}

TEST(FrameModel, AlertsParseAndRefuseNonsense) {
  auto a = parse_alert("util >= 80 %");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->column, Column::kUtil);
  EXPECT_TRUE(a->fires(80));
  EXPECT_FALSE(a->fires(79.9));
  auto b = parse_alert("write<2.5G");
  ASSERT_TRUE(b);
  EXPECT_DOUBLE_EQ(b->threshold, 2.5e9);
  for (const char* bad : {"", "util", "util>", "util>x", ">3", "flags>1", "read>1%", "util>-1"}) {
    EXPECT_FALSE(parse_alert(bad)) << bad;
  }
}

TEST(FrameModel, TheRcFileRoundTripsAndACorruptOneIsAnErrorNamingTheLine) {
  Settings s;
  s.columns = {Column::kWrite, Column::kUtil};
  s.sort = Column::kUtil;
  s.invert = true;
  s.tree = false;
  s.units = ByteUnits::kMega;
  s.color = false;
  s.delay_tenths = 25;
  s.events[ComponentKind::kEndpoint] = {"s2m_drs_memdata", "clock_ticks"};
  s.cpmu_events["0000:0d:00.0/0"] = {"m2s_req_all"};
  auto back = parse_rc_text(format_rc(s), Settings{}, "rc");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
  for (const char* bad : {"columns=read,nope\n", "sort=up\n", "tree=maybe\n", "units=parsecs\n", "delay=0\n",
                          "events.router=x\n", "garbage\n", "frobnicate=1\n"}) {
    auto parsed = parse_rc_text(std::string("# ok\n") + bad, Settings{}, "rc");
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().message().rfind("rc:2: ", 0), 0u) << parsed.error().message();
  }
}

}  // namespace
}  // namespace cpmu::top
