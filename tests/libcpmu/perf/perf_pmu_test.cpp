// The sysfs PMU reader and encoder: on fixture trees modelled on the kernel's
// cxl_pmu (cxl-facts §3.1, §3.2), RAPL's power PMU and an x86 cpu PMU (split
// and overlapping fields), on corrupted copies of them, and on this machine's
// real PMUs compared with what perf itself says about them.
#include <gtest/gtest.h>

#include <unistd.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "cpmu/perf_pmu.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;

const std::string kFixture = std::string(CPMU_FIXTURE_DIR) + "/kernel-perf";
const std::string kDevices = kFixture + "/event_source/devices";
PerfPmuReadOptions fixture_options() { return {kFixture + "/cpu/online"}; }

PerfPmu read_ok(const std::string& name) {
  auto pmu = read_perf_pmu(kDevices + "/" + name, fixture_options());
  EXPECT_TRUE(pmu) << pmu.error().message();
  return pmu ? *pmu : PerfPmu{};
}

TEST(PerfFormat, ParsesRangesSingleBitsAndSplitRanges) {
  auto mask = parse_perf_format("mask", "config:0-31\n");
  ASSERT_TRUE(mask) << mask.error().message();
  EXPECT_EQ(mask->word, PerfConfigWord::kConfig);
  EXPECT_EQ(mask->bits, 0xffffffffu);
  EXPECT_EQ(mask->width(), 32u);
  auto edge = parse_perf_format("edge", "config1:17");
  ASSERT_TRUE(edge);
  EXPECT_EQ(edge->word, PerfConfigWord::kConfig1);
  EXPECT_EQ(edge->bits, 1u << 17);
  auto split = parse_perf_format("event", "config:0-7,32-35");
  ASSERT_TRUE(split);
  EXPECT_EQ(split->bits, 0xf000000ffULL);
  EXPECT_EQ(split->place(0x1d0), 0x1000000d0ULL);
  EXPECT_EQ(split->extract(0x1000000d0ULL), 0x1d0u);
  EXPECT_EQ(split->describe(), "config:0-7,32-35");
  auto top = parse_perf_format("vid", "config:48-63");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->max_value(), 0xffffu);
  EXPECT_EQ(parse_perf_format("x", "config3:0-63")->max_value(), ~std::uint64_t{0});
}

TEST(PerfFormat, RejectsMalformedOverlappingAndOutOfRangeBitsNamingThePosition) {
  const std::map<std::string, std::string> bad = {
      {"", "empty"},
      {"config0-7", "position 1: 'config0-7': expected configN:LO-HI (no ':')"},
      {"config4:0-7", "position 1: 'config4' is not a config word"},
      {"config:", "position 8: no bit range after ':'"},
      {"config:0-64", "position 8: bits 0-64: beyond bit 63 of config"},
      {"config:9-3", "position 8: bits 9-3: the low bit is above the high bit"},
      {"config:0-7,4-9", "position 12: bits 4-9 overlap an earlier range of f"},
      {"config:a-b", "position 8: 'a-b': expected a bit number or LO-HI"},
      {"config:0-7,", "position 12: '': expected a bit number or LO-HI"},
  };
  for (const auto& [text, message] : bad) {
    auto parsed = parse_perf_format("f", text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().message().find(message), std::string::npos) << text << ": " << parsed.error().message();
  }
}

TEST(PerfTerms, ParsesValuesFlagsAndPlaceholders) {
  auto terms = parse_perf_terms("event=0x3c, umask=?,edge,cmask=2\n");
  ASSERT_TRUE(terms) << terms.error().message();
  ASSERT_EQ(terms->size(), 4u);
  EXPECT_EQ((*terms)[0].value, 0x3cu);
  EXPECT_TRUE((*terms)[1].placeholder);
  EXPECT_EQ((*terms)[1].position, 13u);
  EXPECT_FALSE((*terms)[2].value);
  EXPECT_EQ((*terms)[3].value, 2u);
  for (const auto& [text, message] : std::map<std::string, std::string>{
           {"event=0x3c,,edge", "position 12: empty term"},
           {"event=zz", "position 1: term 'event': 'zz' is not a number"},
           {"event=0x10000000000000000", "is not a number (decimal or 0x-hex, at most 64 bits)"},
           {"=3", "position 1: '=3': no term name"},
           {"ev/ent=1", "'/' is not allowed in a term name"}}) {
    auto parsed = parse_perf_terms(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().message().find(message), std::string::npos) << parsed.error().message();
  }
}

TEST(PerfCpuList, ParsesKernelLists) {
  EXPECT_EQ(*parse_cpu_list("0\n"), std::vector<unsigned>{0});
  EXPECT_EQ(*parse_cpu_list("0-2,5"), (std::vector<unsigned>{0, 1, 2, 5}));
  EXPECT_TRUE(parse_cpu_list("")->empty());
  EXPECT_FALSE(parse_cpu_list("3-1"));
  EXPECT_FALSE(parse_cpu_list("0-4294967295"));
  EXPECT_FALSE(parse_cpu_list("x"));
}

// cxl_pmu as the kernel documents it: formats and aliases of §3.1/§3.2, the
// QEMU CPMU model's event set.
TEST(PerfPmuRead, CxlPmuAsTheKernelDescribesIt) {
  const PerfPmu pmu = read_ok("cxl_pmu_mem0.0");
  EXPECT_EQ(pmu.name, "cxl_pmu_mem0.0");
  EXPECT_EQ(pmu.type, 42u);
  EXPECT_EQ(pmu.cpus, std::vector<unsigned>{0});
  std::map<std::string, std::string> formats;
  for (const auto& f : pmu.formats) formats[f.name] = f.describe();
  EXPECT_EQ(formats, (std::map<std::string, std::string>{{"edge", "config1:17"},
                                                         {"gid", "config:32-47"},
                                                         {"hdm", "config2:0-15"},
                                                         {"hdm_filter_en", "config1:18"},
                                                         {"invert", "config1:16"},
                                                         {"mask", "config:0-31"},
                                                         {"threshold", "config1:0-15"},
                                                         {"vid", "config:48-63"}}));
  std::vector<std::string> names;
  for (const auto& e : pmu.events) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"clock_ticks", "d2h_req_rdshared", "h2d_req_snpcur", "h2d_req_snpdata",
                                             "h2d_req_snpinv"}));
  const PerfEventAlias* ticks = pmu.find_event("clock_ticks");
  ASSERT_NE(ticks, nullptr);
  auto config = pmu.encode(ticks->terms, "clock_ticks");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->config, 0x1e98000000000001ULL);
  EXPECT_EQ(pmu.describe(*config), "mask=0x1,vid=0x1e98");
  // The fields the facts sheet gives, by name, with the raw word they land in.
  auto raw = pmu.encode(*parse_perf_terms("vid=0x1e98,gid=0x10,mask=0x3e,threshold=1,edge,hdm_filter_en,hdm=2"), "");
  ASSERT_TRUE(raw) << raw.error().message();
  EXPECT_EQ(raw->config, 0x1e9800100000003eULL);
  EXPECT_EQ(raw->config1, 1u | 1u << 17 | 1u << 18);
  EXPECT_EQ(raw->config2, 2u);
  // describe() writes terms the encoder reads back into the same words.
  auto back = pmu.encode(*parse_perf_terms(pmu.describe(*raw)), "");
  ASSERT_TRUE(back) << pmu.describe(*raw);
  EXPECT_EQ(*back, *raw);
}

TEST(PerfPmuRead, EncodeRejectsUnknownTermsOverflowPlaceholdersAndSharedBits) {
  const PerfPmu cxl = read_ok("cxl_pmu_mem0.0");
  const PerfPmu cpu = read_ok("cpu");
  const std::vector<std::tuple<const PerfPmu*, std::string, std::string>> bad = {
      {&cxl, "vid=0x1e98,color=3", "term 'color' at position 12: cxl_pmu_mem0.0 has no such term"},
      {&cxl, "gid=0x10000", "term 'gid' at position 1: 0x10000 does not fit its 16 bits (config:32-47)"},
      {&cxl, "edge=2", "0x2 does not fit its 1 bit (config1:17)"},
      {&cxl, "mask=1,mask=2", "term 'mask' at position 8: sets bits of config that 'mask' already set"},
      {&cpu, "ldlat=3,frontend=1", "term 'frontend' at position 9: sets bits of config1 that 'ldlat' already set"},
      {&cpu, "umask=?", "needs a value"},
  };
  for (const auto& [pmu, text, message] : bad) {
    auto terms = parse_perf_terms(text);
    ASSERT_TRUE(terms) << text;
    auto encoded = pmu->encode(*terms, "-e x");
    ASSERT_FALSE(encoded) << text;
    EXPECT_NE(encoded.error().message().find(message), std::string::npos) << encoded.error().message();
  }
}

TEST(PerfPmuRead, PowerScaleAndUnitCpuSplitFieldsAndPlaceholders) {
  const PerfPmu power = read_ok("power");
  const PerfEventAlias* pkg = power.find_event("energy-pkg");
  ASSERT_NE(pkg, nullptr);
  ASSERT_TRUE(pkg->scale);
  EXPECT_DOUBLE_EQ(*pkg->scale, 2.3283064365386962890625e-10);
  EXPECT_EQ(pkg->unit, "Joules");
  EXPECT_EQ(power.events.size(), 2u);  // .scale and .unit are attributes, not aliases

  const PerfPmu cpu = read_ok("cpu");
  EXPECT_EQ(cpu.cpus, (std::vector<unsigned>{0, 1}));  // hybrid-style `cpus`
  auto loads = cpu.encode(cpu.find_event("mem-loads")->terms, "");
  ASSERT_TRUE(loads) << loads.error().message();
  EXPECT_EQ(loads->config, 0x1000081d0ULL);
  EXPECT_EQ(loads->config1, 3u);
  ASSERT_TRUE(cpu.find_event("cycles-any"));
  EXPECT_TRUE(cpu.find_event("cycles-any")->terms[1].placeholder);

  const PerfPmu software = read_ok("software");
  EXPECT_EQ(software.type, 1u);
  EXPECT_TRUE(software.formats.empty() && software.events.empty() && software.cpus.empty());
  EXPECT_EQ(list_perf_pmus(kFixture + "/event_source"),
            (std::vector<std::string>{"cpu", "cxl_pmu_mem0.0", "power", "software"}));
}

// A copy of the cxl_pmu fixture to break one file of.
class BrokenPmu : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cpmu-perf-pmu-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(kDevices + "/cxl_pmu_mem0.0", dir_ / "cxl_pmu_mem0.0", fs::copy_options::recursive);
    fs::copy(kFixture + "/cpu/online", dir_ / "online");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ / "cxl_pmu_mem0.0" / file, std::ios::trunc) << text;
  }
  std::string error() {
    auto pmu = read_perf_pmu((dir_ / "cxl_pmu_mem0.0").string(), {(dir_ / "online").string()});
    EXPECT_FALSE(pmu);
    return pmu ? std::string() : pmu.error().message();
  }
  std::string path(const std::string& file) { return (dir_ / "cxl_pmu_mem0.0" / file).string(); }
  fs::path dir_;
};

TEST_F(BrokenPmu, MissingOrTruncatedType) {
  fs::remove(dir_ / "cxl_pmu_mem0.0" / "type");
  EXPECT_EQ(error(), path("type") + ": cannot be read");
  write("type", "");
  EXPECT_EQ(error(), path("type") + ": position 1: '' is not a PMU type number");
  write("type", "4x\n");
  EXPECT_EQ(error(), path("type") + ": position 1: '4x' is not a PMU type number");
}

TEST_F(BrokenPmu, OfflineOrMalformedCpumask) {
  write("cpumask", "3\n");
  EXPECT_EQ(error(), path("cpumask") + ": names CPU 3, which is offline (online: 0-1)");
  write("cpumask", "0-\n");
  EXPECT_EQ(error(), path("cpumask") + ": position 1: '0-': expected a CPU number or LO-HI");
}

TEST_F(BrokenPmu, BadFormatFileNamesFileAndPosition) {
  write("format/mask", "config:0-31,16-20\n");
  EXPECT_EQ(error(), path("format/mask") + ": position 13: bits 16-20 overlap an earlier range of mask");
  write("format/mask", "config:0-99\n");
  EXPECT_EQ(error(), path("format/mask") + ": position 8: bits 0-99: beyond bit 63 of config");
}

TEST_F(BrokenPmu, AliasWithUnknownTermBadNumberOrScale) {
  write("events/clock_ticks", "config=0x1,colour=2\n");
  EXPECT_NE(
      error().find(path("events/clock_ticks") + ": term 'colour' at position 12: cxl_pmu_mem0.0 has no such term"),
      std::string::npos);
  write("events/clock_ticks", "config=0xZZ\n");
  EXPECT_EQ(error(), path("events/clock_ticks") +
                         ": position 1: term 'config': '0xZZ' is not a number (decimal or "
                         "0x-hex, at most 64 bits)");
  write("events/clock_ticks", "config=0x1\n");
  write("events/clock_ticks.scale", "-1\n");
  EXPECT_EQ(error(), path("events/clock_ticks.scale") + ": position 1: '-1' is not a positive scale factor");
  fs::remove(dir_ / "cxl_pmu_mem0.0" / "events/clock_ticks.scale");
  write("events/clock_ticks", std::string(5000, 'x'));
  EXPECT_NE(error().find("longer than 4096 bytes"), std::string::npos);
}

TEST(PerfPmuRead, MissingDirectory) {
  auto pmu = read_perf_pmu(kDevices + "/cxl_pmu_mem9.9", fixture_options());
  ASSERT_FALSE(pmu);
  EXPECT_EQ(pmu.error().code(), Errc::kNotFound);
  EXPECT_NE(pmu.error().message().find("cxl_pmu_mem9.9: no such PMU"), std::string::npos);
}

// ---- This machine's real PMUs against perf ------------------------------

std::string run(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    std::array<char, 4096> buffer;
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), p)) out.append(buffer.data(), n);
    ::pclose(p);
  }
  return out;
}

bool have_perf() { return run("perf version 2>/dev/null").rfind("perf version", 0) == 0; }

TEST(RealPmus, EveryPmuOfThisKernelReads) {
  const auto names = list_perf_pmus("/sys/bus/event_source");
  if (names.empty()) GTEST_SKIP() << "no /sys/bus/event_source here";
  for (const std::string& name : names) {
    auto pmu = read_perf_pmu("/sys/bus/event_source/devices/" + name);
    ASSERT_TRUE(pmu) << name << ": " << pmu.error().message();
    if (name == "software") {
      EXPECT_EQ(pmu->type, 1u);  // PERF_TYPE_SOFTWARE
    }
    if (name == "tracepoint") {
      EXPECT_EQ(pmu->type, 2u);  // PERF_TYPE_TRACEPOINT
    }
  }
}

// perf list names every kernel alias as pmu/alias/ [Kernel PMU event]: the
// same set, PMU by PMU, as read here.
TEST(RealPmus, AliasesAreThoseThatPerfListShows) {
  if (!have_perf()) GTEST_SKIP() << "perf is not installed";
  std::map<std::string, std::set<std::string>> perf_says;
  std::istringstream listing(run("perf list --no-desc pmu 2>/dev/null"));
  static const std::regex kLine(R"(^\s+([A-Za-z0-9_.\-]+)/([A-Za-z0-9_.\-]+)/\s+\[Kernel PMU event\])");
  for (std::string line; std::getline(listing, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kLine)) perf_says[m[1]].insert(m[2]);
  }
  std::map<std::string, std::set<std::string>> we_read;
  for (const std::string& name : list_perf_pmus("/sys/bus/event_source")) {
    auto pmu = read_perf_pmu("/sys/bus/event_source/devices/" + name);
    ASSERT_TRUE(pmu) << pmu.error().message();
    // perf lists a core PMU's aliases under their own names (cycles, ...),
    // not as cpu/x/: compare the others.
    if (name == "cpu" || name.rfind("cpu_", 0) == 0) continue;
    for (const auto& e : pmu->events) we_read[name].insert(e.name);
  }
  for (auto it = perf_says.begin(); it != perf_says.end();) {
    it = (it->first == "cpu" || it->first.rfind("cpu_", 0) == 0) ? perf_says.erase(it) : std::next(it);
  }
  if (we_read.empty() && perf_says.empty()) GTEST_SKIP() << "no PMU with aliases here";
  EXPECT_EQ(we_read, perf_says);
}

// perf stat -vv prints the perf_event_attr it opens: type and config of every
// alias must be what we encode (as root: msr, power, uncore need it).
TEST(RealPmus, EncodedAliasesAreWhatPerfOpens) {
  if (!have_perf()) GTEST_SKIP() << "perf is not installed";
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (system-wide msr/power events)";
  int compared = 0;
  for (const std::string& name : list_perf_pmus("/sys/bus/event_source")) {
    if (name == "cpu" || name.rfind("cpu_", 0) == 0) continue;
    auto pmu = read_perf_pmu("/sys/bus/event_source/devices/" + name);
    ASSERT_TRUE(pmu);
    for (const auto& alias : pmu->events) {
      auto config = pmu->encode(alias.terms, alias.name);
      if (!config) continue;  // placeholders: perf needs a value too
      const std::string out = run("perf stat -vv -a -e " + name + "/" + alias.name + "/ true 2>&1");
      std::smatch type, cfg;
      static const std::regex kType(R"(\n\s+type\s+(\d+))"), kConfig(R"(\n\s+config\s+(0x[0-9a-f]+))");
      if (!std::regex_search(out, type, kType)) continue;  // perf could not open it either
      EXPECT_EQ(std::stoul(type[1]), pmu->type) << name << "/" << alias.name;
      const std::uint64_t perf_config = std::regex_search(out, cfg, kConfig) ? std::stoull(cfg[1], nullptr, 16) : 0;
      EXPECT_EQ(perf_config, config->config) << name << "/" << alias.name;
      ++compared;
    }
  }
  if (compared == 0) GTEST_SKIP() << "no PMU alias perf could open here";
}

}  // namespace
}  // namespace cpmu
