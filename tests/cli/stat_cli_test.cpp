// `cpmu stat` end to end: the built binary on the built-in simulated machine
// (--sim, real time). Counts themselves are checked against ground truth in
// monitor_sim_test; here the question is what the command does with them:
// which CPMUs count what, the output formats, intervals, the plan, the
// command's exit status, Ctrl-C, and bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "cpmu/cpmu_lock.hpp"
#include "run_cli.hpp"
#include "spawned_cpmu.hpp"

namespace cpmu {
namespace {

using nlohmann::json;
using cpmu::testing::run_command;
using cpmu::testing::run_cpmu;

const std::string kStat = "stat --sim -o - ";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  for (const std::string& line : lines_of(text)) {
    json parsed = json::parse(line, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << line;
    out.push_back(parsed);
  }
  return out;
}

// The text line for `event` on `cpmu`, or "".
std::string count_line(const std::string& out, const std::string& event, const std::string& cpmu) {
  const std::regex pattern("^ +[0-9,]+ +" + std::regex_replace(event, std::regex(R"([.+])"), R"(\$&)") + " +" +
                           std::regex_replace(cpmu, std::regex(R"([.])"), R"(\.)") + " +# .*/sec");
  for (const std::string& line : lines_of(out)) {
    if (std::regex_search(line, pattern)) return line;
  }
  return "";
}

// CSV fields, honouring "quoted" fields.
std::vector<std::string> csv_fields(const std::string& line, char separator) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == separator && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(StatCli, CountsEventsByNameOnTheChosenCpmu) {
  auto run = run_cpmu(kStat + "-e clock_ticks,m2s_req_memrd --cpmu 0000:0f:00.0/0 --duration 0.2");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(count_line(run.out, "clock_ticks", "0000:0f:00.0/0"), "") << run.out;
  EXPECT_NE(count_line(run.out, "m2s_req_memrd", "0000:0f:00.0/0"), "") << run.out;
  EXPECT_NE(run.out.find("Performance counter stats for 'system wide':"), std::string::npos);
  EXPECT_TRUE(std::regex_search(run.out, std::regex(R"(\n +0\.[0-9]{9} seconds time elapsed\n)"))) << run.out;
}

TEST(StatCli, RawTermIsCountedAndShownAsWritten) {
  auto run = run_cpmu(kStat + "-A -e vid=0x1e98,gid=0x20,mask=0x2 -s 0f:00.0 --duration 0.1");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(count_line(run.out, "vid=0x1e98,gid=0x20,mask=0x2", "0000:0f:00.0/0"), "") << run.out;
  // 0f:00.0's second CPMU has no M2S group: chosen by -s, it says why not.
  EXPECT_TRUE(std::regex_search(run.out, std::regex(R"(<not supported> +vid=0x1e98,gid=0x20,mask=0x2 +0000:0f:00\.0/1 +# .*GID 0x0020)")))
      << run.out;
}

TEST(StatCli, PerfStyleTermCountsOnlyOnTheCpmuItNames) {
  auto run = run_cpmu(kStat + "-e 0000:0f:00.0/1/ddr_act/ -e 0f:00.0/0/clock_ticks/ --duration 0.1");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(count_line(run.out, "ddr_act", "0000:0f:00.0/1"), "") << run.out;
  EXPECT_NE(count_line(run.out, "clock_ticks", "0000:0f:00.0/0"), "") << run.out;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '#'), 2) << run.out;
}

// -a: every CPMU whose plan can count the event, and no other.
TEST(StatCli, AllCountsEachEventOnEveryCpmuThatCanCountIt) {
  for (const std::string event : {"ddr_act", "m2s_req_memrd"}) {
    auto plan = run_cpmu(kStat + "-a -j --plan -e " + event);
    ASSERT_EQ(plan.status, 0) << plan.err;
    std::set<std::string> can, counted;
    for (const json& row : json_lines(plan.out)) {
      if (row["placement"] != "not_supported") can.insert(row["cpmu"].get<std::string>());
    }
    std::string args = kStat;
    args += "-A -a -j --duration 0.1 -e ";
    args += event;
    auto run = run_cpmu(args);
    ASSERT_EQ(run.status, 0) << run.err;
    for (const json& row : json_lines(run.out)) {
      if (row["type"] != "count") continue;
      EXPECT_EQ(row["state"], "counted") << row;
      counted.insert(row["cpmu"].get<std::string>());
    }
    EXPECT_GE(can.size(), 3u) << event;
    EXPECT_EQ(counted, can) << event;
  }
}

// By default an event counted on several CPMUs of one kind is one line
// summing them (perf's merge of same-named PMUs); -A gives a line per CPMU.
TEST(StatCli, EventOnSeveralCpmusIsMergedPerKindByDefaultAndSplitWithNoMerge) {
  auto each = run_cpmu(kStat + "-A -a -j --duration 0.1 -e clock_ticks");
  ASSERT_EQ(each.status, 0) << each.err;
  std::set<std::string> all;
  for (const json& row : json_lines(each.out)) {
    if (row["type"] != "count") continue;
    EXPECT_FALSE(row.contains("aggregate")) << row;
    all.insert(row["cpmu"].get<std::string>());
  }
  auto merged = run_cpmu(kStat + "-a -j --duration 0.1 -e clock_ticks");
  ASSERT_EQ(merged.status, 0) << merged.err;
  std::set<std::string> covered;
  int endpoint_lines = 0;
  for (const json& row : json_lines(merged.out)) {
    if (row["type"] != "count") continue;
    if (!row.contains("aggregate")) {
      covered.insert(row["cpmu"].get<std::string>());
      continue;
    }
    EXPECT_TRUE(std::regex_match(row["aggregate"].get<std::string>(), std::regex("[a-z-]+:[0-9]+"))) << row;
    EXPECT_EQ(
        row["cpmus"].size(),
        std::stoul(row["aggregate"].get<std::string>().substr(row["aggregate"].get<std::string>().find(':') + 1)));
    for (const json& cpmu : row["cpmus"]) EXPECT_TRUE(covered.insert(cpmu.get<std::string>()).second) << cpmu;
    if (row["aggregate"].get<std::string>().rfind("endpoint:", 0) == 0) {
      ++endpoint_lines;
      EXPECT_GE(row["cpmus"].size(), 3u) << row;
      // Each endpoint CPMU ticks about 1 GHz over 0.1 s: the sum is several times one.
      EXPECT_GT(row["value"].get<double>(), 2.5e8) << row;
    }
  }
  EXPECT_EQ(endpoint_lines, 1) << merged.out;
  EXPECT_EQ(covered, all) << "every CPMU in exactly one line";

  auto text = run_cpmu(kStat + "-a --duration 0.1 -e clock_ticks");
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_TRUE(std::regex_search(text.out, std::regex(R"(\n +[0-9,]+ +clock_ticks +endpoint:[0-9]+ +# )"))) << text.out;
}

TEST(StatCli, PerDeviceSumsTheCpmusOfEachFunction) {
  auto run = run_cpmu(kStat + "--per-device -x , -s 0f:00.0 -e clock_ticks --duration 0.1");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto lines = lines_of(run.out);
  ASSERT_EQ(lines.size(), 1u) << run.out;
  const auto f = csv_fields(lines[0], ',');
  EXPECT_EQ(f[0], "0000:0f:00.0");
  EXPECT_GT(std::stod(f[1]), 1.5e8) << "two CPMUs' clocks over 0.1 s";
  auto both = run_cpmu(kStat + "--per-device -A -s 0f:00.0 -e clock_ticks --duration 0.1");
  EXPECT_EQ(both.status, 2) << "--per-device and -A exclude each other";
}

// As perf counts uncore events: a bare event, with or without a COMMAND,
// counts on every CPMU that can count it, as -a does.
TEST(StatCli, BareEventCountsOnEveryCpmuThatCanCountItWithoutAll) {
  auto cpmus_of = [](const std::string& out) {
    std::set<std::string> cpmus;
    for (const json& row : json_lines(out)) {
      if (row["type"] == "count") cpmus.insert(row["cpmu"].get<std::string>());
    }
    return cpmus;
  };
  auto all = run_cpmu(kStat + "-A -j -a --duration 0.1 -e m2s_req_memrd");
  ASSERT_EQ(all.status, 0) << all.err;
  auto bare = run_cpmu(kStat + "-A -j --duration 0.1 -e m2s_req_memrd");
  ASSERT_EQ(bare.status, 0) << bare.err;
  EXPECT_GE(cpmus_of(bare.out).size(), 3u) << bare.out;
  EXPECT_EQ(cpmus_of(bare.out), cpmus_of(all.out));
  auto command = run_cpmu(kStat + "-A -j -e m2s_req_memrd -- sleep 0.1");
  ASSERT_EQ(command.status, 0) << command.err;
  EXPECT_EQ(cpmus_of(command.out), cpmus_of(all.out));
}

// -M alone: the metric's inputs are what is counted.
TEST(StatCli, MetricAloneCountsItsInputs) {
  auto run = run_cpmu(kStat + "-j --duration 0.1 -M read_bandwidth --cpmu 0000:0f:00.0/0");
  ASSERT_EQ(run.status, 0) << run.err;
  std::set<std::string> events;
  int metrics = 0;
  for (const json& row : json_lines(run.out)) {
    if (row["type"] == "count") events.insert(row["event"].get<std::string>());
    if (row["type"] == "metric" && row["state"] == "counted") ++metrics;
  }
  EXPECT_EQ(events, std::set<std::string>{"s2m_drs_memdata"}) << run.out;
  EXPECT_EQ(metrics, 1) << run.out;
}

TEST(StatCli, RepeatPrintsTheMeansOfTheRunsWithTheirSpread) {
  auto text = run_cpmu(kStat + "-r 3 -e clock_ticks --cpmu 0000:0f:00.0/0 --duration 0.05");
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("Performance counter stats for 'system wide' (3 runs):"), std::string::npos) << text.out;
  EXPECT_TRUE(std::regex_search(text.out,
                                std::regex(R"(clock_ticks +0000:0f:00\.0/0 +# .*/sec  \( \+- +[0-9]+\.[0-9]{2}% \))")))
      << text.out;
  EXPECT_TRUE(std::regex_search(text.out, std::regex(R"(seconds time elapsed  \( \+- +[0-9]+\.[0-9]{2}% \))")))
      << text.out;

  auto csv = run_cpmu(kStat + "-r 2 -x , -e clock_ticks --cpmu 0000:0f:00.0/0 -- sleep 0.05");
  ASSERT_EQ(csv.status, 0) << csv.err;
  const auto lines = lines_of(csv.out);
  ASSERT_EQ(lines.size(), 1u) << "one line of means, not one per run\n" << csv.out;
  const auto f = csv_fields(lines[0], ',');
  ASSERT_EQ(f.size(), 10u) << lines[0];
  EXPECT_TRUE(std::regex_match(f[9], std::regex("[0-9]+\\.[0-9]{2}"))) << lines[0];

  auto js = run_cpmu(kStat + "-r 2 -j -e clock_ticks --cpmu 0000:0f:00.0/0 --duration 0.05");
  ASSERT_EQ(js.status, 0) << js.err;
  EXPECT_TRUE(json_lines(js.out).at(0)["variance_pct"].is_number()) << js.out;

  auto zero = run_cpmu(kStat + "-r 0 -e clock_ticks --duration 0.05");
  EXPECT_EQ(zero.status, 2);
  EXPECT_NE(zero.err.find("-r 0: expected at least 1 run"), std::string::npos) << zero.err;
}

TEST(StatCli, SummaryMarksTheCsvTotalsAfterIntervals) {
  auto run = run_cpmu(kStat + "--summary -x , -I 30 --interval-count 2 -e clock_ticks --cpmu 0000:0f:00.0/0");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto lines = lines_of(run.out);
  ASSERT_EQ(lines.size(), 3u) << run.out;
  EXPECT_TRUE(std::regex_match(csv_fields(lines[1], ',')[0], std::regex("0\\.[0-9]{9}"))) << lines[1];
  EXPECT_EQ(csv_fields(lines[2], ',')[0], "summary") << lines[2];
}

TEST(StatCli, AppendAddsToTheOutputFileInsteadOfReplacingIt) {
  const auto file = std::filesystem::temp_directory_path() / ("cpmu-stat-append-" + std::to_string(::getpid()));
  const std::string args = "stat --sim -x , -e clock_ticks --cpmu 0000:0f:00.0/0 --duration 0.02 -o " + file.string();
  auto lines_in_file = [&] {
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return lines_of(text).size();
  };
  ASSERT_EQ(run_cpmu(args).status, 0);
  ASSERT_EQ(run_cpmu(args).status, 0);
  EXPECT_EQ(lines_in_file(), 1u) << "without --append the file is replaced";
  ASSERT_EQ(run_cpmu(args + " --append").status, 0);
  EXPECT_EQ(lines_in_file(), 2u);
  std::filesystem::remove(file);
  auto no_file = run_cpmu("stat --sim --append -e clock_ticks --duration 0.02");
  EXPECT_EQ(no_file.status, 2);
  EXPECT_NE(no_file.err.find("--append needs -o FILE"), std::string::npos) << no_file.err;
}

TEST(StatCli, EventNoCpmuCanCountIsNotSupportedWithTheReason) {
  auto run = run_cpmu(kStat + "-a -e ddr_act,cachedata_d2h_data --duration 0.1");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(std::regex_search(run.out, std::regex(R"(<not supported> +cachedata_d2h_data +- +# no CPMU can count it)")))
      << run.out;
}

TEST(StatCli, CsvHasPerfsFieldOrderWithTheCpmuFirst) {
  auto run = run_cpmu(kStat + "-x , -e clock_ticks,vid=0x1e98,gid=0x20,mask=0x6 --cpmu 0000:0f:00.0/0 --duration 0.1");
  ASSERT_EQ(run.status, 0) << run.err;
  auto lines = lines_of(run.out);
  ASSERT_EQ(lines.size(), 2u) << run.out;
  for (const std::string& line : lines) {
    auto f = csv_fields(line, ',');
    ASSERT_EQ(f.size(), 9u) << line;
    EXPECT_EQ(f[0], "0000:0f:00.0/0");
    EXPECT_TRUE(std::regex_match(f[1], std::regex("[0-9]+"))) << line;
    EXPECT_TRUE(std::regex_match(f[4], std::regex("[0-9]+"))) << line;   // running ns
    EXPECT_EQ(f[5], "100.00");
    EXPECT_TRUE(std::regex_match(f[6], std::regex("[0-9]+\\.[0-9]{2}"))) << line;
    EXPECT_EQ(f[8], "");   // trusted, not ended
  }
  EXPECT_EQ(csv_fields(lines[0], ',')[2], "cycles");
  EXPECT_EQ(csv_fields(lines[0], ',')[3], "clock_ticks");
  EXPECT_EQ(csv_fields(lines[0], ',')[7], "hertz");
  EXPECT_EQ(csv_fields(lines[1], ',')[3], "vid=0x1e98,gid=0x20,mask=0x6");
  EXPECT_NE(lines[1].find(",\"vid=0x1e98,gid=0x20,mask=0x6\","), std::string::npos) << "a field with the separator is quoted";

  auto semicolons = run_cpmu(kStat + "-x ';' -e vid=0x1e98,gid=0x20,mask=0x6 --cpmu 0000:0f:00.0/0 --duration 0.1");
  ASSERT_EQ(semicolons.status, 0) << semicolons.err;
  EXPECT_EQ(csv_fields(lines_of(semicolons.out).at(0), ';').at(3), "vid=0x1e98,gid=0x20,mask=0x6");
}

TEST(StatCli, CsvIntervalLinesStartWithTheTime) {
  auto run = run_cpmu(kStat + "-x , -I 50 --interval-count 2 -e clock_ticks --cpmu 0000:0f:00.0/0");
  ASSERT_EQ(run.status, 0) << run.err;
  auto lines = lines_of(run.out);
  ASSERT_EQ(lines.size(), 3u) << run.out;
  EXPECT_EQ(csv_fields(lines[0], ',').size(), 10u);
  EXPECT_TRUE(std::regex_match(csv_fields(lines[0], ',')[0], std::regex("0\\.[0-9]{9}"))) << lines[0];
  // Then the totals, which keep the time column (the elapsed time).
  const auto totals = csv_fields(lines[2], ',');
  ASSERT_EQ(totals.size(), 10u) << lines[2];
  EXPECT_TRUE(std::regex_match(totals[0], std::regex("0\\.[0-9]{9}"))) << lines[2];
  EXPECT_EQ(totals[1], "0000:0f:00.0/0") << lines[2];
}

TEST(StatCli, NotSupportedReasonIsPrintedOnceNotOnEveryIntervalLine) {
  auto run = run_cpmu(kStat + "-A -I 50 --interval-count 3 -e vid=0x1e98,gid=0x20,mask=0x2 -s 0f:00.0");
  ASSERT_EQ(run.status, 0) << run.err;
  const std::regex unsupported(R"(<not supported> +vid=0x1e98,gid=0x20,mask=0x2 +0000:0f:00\.0/1)");
  int lines = 0, reasons = 0;
  for (const std::string& line : lines_of(run.out)) {
    if (!std::regex_search(line, unsupported)) continue;
    ++lines;
    if (line.find("GID 0x0020") != std::string::npos) ++reasons;
  }
  EXPECT_EQ(lines, 4) << "three intervals and the totals\n" << run.out;
  EXPECT_EQ(reasons, 1) << run.out;
}

TEST(StatCli, CsvMetricValuesArePlainNumbers) {
  auto run = run_cpmu(kStat + "-x , -I 50 --interval-count 2 -M read_bandwidth -e clock_ticks --cpmu 0000:0f:00.0/0");
  ASSERT_EQ(run.status, 0) << run.err;
  int metrics = 0;
  for (const std::string& line : lines_of(run.out)) {
    const auto f = csv_fields(line, ',');
    if (f.size() < 5 || f[4] != "read_bandwidth") continue;
    ++metrics;
    EXPECT_TRUE(std::regex_match(f[2], std::regex("[0-9]+(\\.[0-9]+)?"))) << line;
    EXPECT_GE(std::stod(f[2]), 1e6) << "large enough that %g would write an exponent: " << line;
  }
  EXPECT_EQ(metrics, 3) << run.out;
}

// 0f:00.0/1 counts no S2M data: read_bandwidth is <not supported> there,
// naming the input, in every format; on 0f:00.0/0 it is a value.
TEST(StatCli, MetricWhoseInputsACpmuLacksIsNotSupportedWithTheReason) {
  auto text = run_cpmu(kStat + "--duration 0.1 -M read_bandwidth -e clock_ticks -s 0f:00.0");
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_TRUE(std::regex_search(
      text.out,
      std::regex(R"(<not supported> +read_bandwidth +0000:0f:00\.0/1 +# input s2m_drs_memdata is not supported)")))
      << text.out;
  EXPECT_TRUE(
      std::regex_search(text.out, std::regex(R"([0-9.]+ [kMG]?B/s +read_bandwidth +0000:0f:00\.0/0 +# metric)")))
      << text.out;

  auto csv = run_cpmu(kStat + "-x , --duration 0.1 -M read_bandwidth -e clock_ticks -s 0f:00.0");
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_NE(csv.out.find("0000:0f:00.0/1,<not supported>,bytes_per_second,read_bandwidth,"), std::string::npos)
      << csv.out;

  auto js = run_cpmu(kStat + "-j --duration 0.1 -M read_bandwidth -e clock_ticks -s 0f:00.0");
  ASSERT_EQ(js.status, 0) << js.err;
  std::map<std::string, json> metric_of;
  for (const json& row : json_lines(js.out)) {
    if (row["type"] == "metric") metric_of[row["cpmu"].get<std::string>()] = row;
  }
  ASSERT_EQ(metric_of.size(), 2u) << js.out;
  EXPECT_EQ(metric_of["0000:0f:00.0/1"]["state"], "not_supported");
  EXPECT_NE(metric_of["0000:0f:00.0/1"]["reason"].get<std::string>().find("s2m_drs_memdata"), std::string::npos);
  EXPECT_FALSE(metric_of["0000:0f:00.0/1"].contains("value"));
  EXPECT_EQ(metric_of["0000:0f:00.0/0"]["state"], "counted");
}

void expect_unsigned(const json& row, const char* key) {
  ASSERT_TRUE(row.contains(key)) << key << " missing in " << row;
  EXPECT_TRUE(row[key].is_number_unsigned()) << key << " in " << row;
}

TEST(StatCli, JsonLinesParseAndHaveTheDocumentedKeysAndTypes) {
  auto run = run_cpmu(kStat + "-j -I 50 --interval-count 2 -M read_bandwidth -e clock_ticks,ddr_act "
                              "--cpmu 0000:0f:00.0/0");
  ASSERT_EQ(run.status, 0) << run.err;
  auto rows = json_lines(run.out);
  std::map<std::string, int> by_scope;
  std::set<std::uint64_t> times;
  for (const json& row : rows) {
    ASSERT_TRUE(row.is_object());
    EXPECT_EQ(row["schema_version"], 2);
    ASSERT_TRUE(row["type"].is_string());
    if (row["type"] == "summary") continue;
    ASSERT_TRUE(row["scope"].is_string()) << row;
    ++by_scope[row["scope"].get<std::string>() + "/" + row["type"].get<std::string>()];
    EXPECT_EQ(row["cpmu"], "0000:0f:00.0/0");
    if (row["scope"] == "interval") {
      expect_unsigned(row, "time_ns");
      times.insert(row["time_ns"].get<std::uint64_t>());
    } else {
      EXPECT_FALSE(row.contains("time_ns"));
    }
    if (row["type"] == "metric") {
      EXPECT_EQ(row["metric"], "read_bandwidth");
      EXPECT_EQ(row["unit"], "bytes_per_second");
      EXPECT_EQ(row["state"], "counted");
      EXPECT_TRUE(row["value"].is_number_float()) << row;
      EXPECT_TRUE(row["trusted"].is_boolean());
      continue;
    }
    ASSERT_EQ(row["type"], "count");
    EXPECT_TRUE(row["event"].is_string());
    ASSERT_TRUE(row["state"].is_string());
    if (row["event"] == "ddr_act") {
      EXPECT_EQ(row["state"], "not_supported");
      EXPECT_TRUE(row["reason"].is_string());
      EXPECT_FALSE(row.contains("value"));
      continue;
    }
    EXPECT_EQ(row["state"], "counted") << row;
    expect_unsigned(row, "value");
    expect_unsigned(row, "raw");
    expect_unsigned(row, "time_enabled_ns");
    expect_unsigned(row, "time_running_ns");
    EXPECT_TRUE(row["running_pct"].is_number()) << row;
    EXPECT_TRUE(row["rate_per_s"].is_number()) << row;
    EXPECT_TRUE(row["trusted"].is_boolean()) << row;
    EXPECT_TRUE(row["ended"].is_boolean()) << row;
    EXPECT_TRUE(row["placement"].is_string()) << row;
    EXPECT_TRUE(row["unit"].is_string()) << row;
  }
  // clock_ticks, ddr_act and the metric's input, s2m_drs_memdata.
  EXPECT_EQ(by_scope["interval/count"], 6);
  EXPECT_EQ(by_scope["interval/metric"], 2);
  EXPECT_EQ(by_scope["total/count"], 3);
  EXPECT_EQ(by_scope["total/metric"], 1);
  EXPECT_EQ(times.size(), 2u);
  const json& summary = rows.back();
  ASSERT_EQ(summary["type"], "summary");
  expect_unsigned(summary, "elapsed_ns");
  EXPECT_EQ(summary["target"], "system wide");
  EXPECT_EQ(summary["interrupted"], false);
  EXPECT_TRUE(summary["removed_cpmus"].is_array());
}

// Like perf's JSON linter, but against our own man page: every key cpmu stat
// emits is one cpmu(1) documents under JSON OUTPUT.
TEST(StatCli, EveryJsonKeyIsDocumentedInTheManPage) {
  std::ifstream page(std::string(CPMU_SOURCE_DIR) + "/man/cpmu.1.md");
  const std::string text((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  const auto begin = text.find("### JSON OUTPUT");
  const auto end = text.find("### EXIT STATUS OF cpmu stat");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const std::string section = text.substr(begin, end - begin);
  std::set<std::string> documented;
  const std::regex bold(R"(\*\*([a-z_]+)\*\*)");
  for (auto it = std::sregex_iterator(section.begin(), section.end(), bold); it != std::sregex_iterator(); ++it) {
    documented.insert((*it)[1]);
  }
  std::set<std::string> emitted;
  for (const std::string args : {"-j -I 50 --interval-count 1 -M read_bandwidth -e clock_ticks,ddr_act -s 0f:00.0",
                                 "-j --duration 0.05 -a -e cachedata_d2h_data", "-j --plan -a -e clock_ticks"}) {
    auto run = run_cpmu(kStat + args);
    ASSERT_EQ(run.status, 0) << args << "\n" << run.err;
    for (const json& row : json_lines(run.out)) {
      for (const auto& item : row.items()) emitted.insert(item.key());
    }
  }
  EXPECT_GE(emitted.size(), 25u);
  for (const std::string& key : emitted) EXPECT_TRUE(documented.count(key)) << "undocumented JSON key: " << key;
}

TEST(StatCli, IntervalPrintingGivesOneBlockPerIntervalThenTotals) {
  auto run = run_cpmu(kStat + "-I 50 --interval-count 3 -e clock_ticks,m2s_req_memrd --cpmu 0000:0f:00.0/0");
  ASSERT_EQ(run.status, 0) << run.err;
  std::vector<double> times;
  std::map<double, int> per_time;
  const std::regex interval_line(R"(^ +([0-9]+\.[0-9]{9}) +[0-9,]+ +(clock_ticks|m2s_req_memrd) +0000:0f:00\.0/0 +#)");
  for (const std::string& line : lines_of(run.out)) {
    std::smatch m;
    if (std::regex_search(line, m, interval_line)) ++per_time[std::stod(m[1])];
  }
  ASSERT_EQ(per_time.size(), 3u) << run.out;
  for (const auto& [time, count] : per_time) EXPECT_EQ(count, 2) << time;
  EXPECT_NE(run.out.find("#           time"), std::string::npos);
  EXPECT_LT(run.out.find("#           time"), run.out.find("Performance counter stats"));
  EXPECT_NE(count_line(run.out, "clock_ticks", "0000:0f:00.0/0"), "") << "totals follow";
}

TEST(StatCli, PlanShowsFixedConfigurableFreeRunningMultiplexedAndNotSupported) {
  auto run = run_cpmu(kStat + "--plan -j -e 0000:0e:00.0/0/clock_ticks/ "
                              "-e m2s_req_memrd,m2s_req_memrddata,m2s_req_meminv,m2s_rwd_memwr,ddr_act "
                              "--cpmu 0000:0e:00.0/0 -e 0000:0f:00.0/0/m2s_req_memrd/ "
                              "-e 0000:0f:00.0/0/vid=0x1b36,gid=1,mask=2/");
  ASSERT_EQ(run.status, 0) << run.err;
  std::map<std::string, json> on_0e, on_0f;
  for (const json& row : json_lines(run.out)) {
    EXPECT_EQ(row["type"], "plan");
    EXPECT_EQ(row["usable"], true);
    (row["cpmu"] == "0000:0e:00.0/0" ? on_0e : on_0f)[row["event"].get<std::string>()] = row;
  }
  EXPECT_EQ(on_0e["clock_ticks"]["placement"], "fixed");
  EXPECT_EQ(on_0e["clock_ticks"]["counter"], 0);
  for (const char* e : {"m2s_req_memrd", "m2s_req_memrddata", "m2s_req_meminv", "m2s_rwd_memwr"}) {
    EXPECT_EQ(on_0e[e]["placement"], "multiplexed") << e;
  }
  EXPECT_EQ(on_0e["ddr_act"]["placement"], "not_supported");
  EXPECT_NE(on_0e["ddr_act"]["reason"].get<std::string>().find("GID 0x8000"), std::string::npos);
  EXPECT_FALSE(on_0e["ddr_act"].contains("counter"));
  EXPECT_EQ(on_0f["m2s_req_memrd"]["placement"], "configurable");
  EXPECT_TRUE(on_0f["m2s_req_memrd"]["event_capability"].is_number_unsigned());
  EXPECT_EQ(on_0f["vid=0x1b36,gid=1,mask=2"]["placement"], "free_running");

  auto text = run_cpmu(kStat + "--plan -e clock_ticks,ddr_act --cpmu 0000:0e:00.0/0");
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_TRUE(std::regex_search(text.out, std::regex(R"(\n +clock_ticks +fixed +counter 0 +fixed counter 0 counts)")))
      << text.out;
  EXPECT_TRUE(std::regex_search(text.out, std::regex(R"(\n +ddr_act +not supported +- +no Event Capabilities)")))
      << text.out;
  EXPECT_EQ(text.out.find("seconds time elapsed"), std::string::npos) << "--plan counts nothing";
}

TEST(StatCli, CommandExitStatusBecomesCpmusAndItsCountsArePrinted) {
  auto run = run_cpmu(kStat + "-e clock_ticks --cpmu 0000:0f:00.0/0 -- sh -c 'exit 3'");
  EXPECT_EQ(run.status, 3) << run.err;
  EXPECT_NE(run.out.find("Performance counter stats for 'sh -c exit 3':"), std::string::npos) << run.out;
  EXPECT_NE(count_line(run.out, "clock_ticks", "0000:0f:00.0/0"), "") << run.out;

  auto ok = run_cpmu(kStat + "-e clock_ticks --cpmu 0000:0f:00.0/0 -- true");
  EXPECT_EQ(ok.status, 0) << ok.err;
}

TEST(StatCli, CommandThatCannotRunExits127) {
  auto run = run_cpmu(kStat + "-e clock_ticks --cpmu 0000:0f:00.0/0 -- /nonexistent/command");
  EXPECT_EQ(run.status, 127);
  EXPECT_NE(run.err.find("cannot run '/nonexistent/command'"), std::string::npos) << run.err;
}

// A running `cpmu stat` with its stdout on a pipe, to signal it mid-count.
using RunningStat = cpmu::testing::SpawnedCpmu;

// perf stat without a command prints its totals after SIGINT, then ends by
// the signal (builtin-stat.c re-raises it at exit): the shell sees 130.
TEST(StatCli, SigintOrSigtermPrintsTheTotalsSoFarThenEndsByTheSignal) {
  for (int sig : {SIGINT, SIGTERM}) {
    RunningStat stat({"stat", "--sim", "-o", "-", "-I", "50", "-e", "clock_ticks", "--cpmu", "0000:0f:00.0/0"});
    ASSERT_TRUE(stat.wait_for("clock_ticks")) << "the first interval's line: counting is under way\n"
                                               << stat.output();
    stat.signal(sig);
    const int status = stat.finish();
    const std::string& text = stat.output();
    ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_NE(text.find("Performance counter stats for 'system wide' (interrupted):"), std::string::npos) << text;
    EXPECT_NE(count_line(text, "clock_ticks", "0000:0f:00.0/0"), "") << text;
    EXPECT_NE(text.find("seconds time elapsed"), std::string::npos) << text;
  }
}

// With a command, the command's status: a SIGINT sent to cpmu alone reaches
// the command, which dies of it, and cpmu exits 128 + 2 as a shell would.
TEST(StatCli, SigintWithACommandExitsWithTheCommandsSignalStatus) {
  RunningStat stat({"stat", "--sim", "-a", "-e", "clock_ticks", "-I", "20", "-j", "-o", "-", "--", "sleep", "30"});
  ASSERT_TRUE(stat.wait_for("\"scope\":\"interval\"")) << stat.output();
  stat.signal(SIGINT);
  const int status = stat.finish();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  EXPECT_NE(stat.output().find("\"interrupted\":true"), std::string::npos) << stat.output();
}

TEST(StatCli, BadInputExitsTwoWithAMessageNamingWhatAndWhere) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"-a -e clock_tick", "-e 'clock_tick': event term 'clock_tick' at position 1: unknown event 'clock_tick'"},
      {"-a -e clock_ticks,vid=0x1e98,gid=0x20", "event term 'vid=0x1e98,gid=0x20' at position 13: missing 'mask'"},
      {"-a -e clock_ticks,threshold=300", "at position 23: 300 is too big for 'threshold'"},
      {"-a -e cxl_pmu_mem0.0/clock_ticks", "missing the closing '/'"},
      {"-e cxl_pmu_mem9.0/clock_ticks/",
       "event term 'cxl_pmu_mem9.0/clock_ticks/' at position 1: "
       "'cxl_pmu_mem9.0' matches no CPMU (CPMUs here: 0000:0c:00.0/0"},
      {"-e 0000:0f:00.0/7/clock_ticks/", "'0000:0f:00.0/7' matches no CPMU"},
      {"-e clock_ticks --cpmu 0000:99:00.0/0", "--cpmu '0000:99:00.0/0' matches no CPMU"},
      {"-e clock_ticks --cpmu 0f:00.0/x", "--cpmu selector '0f:00.0/x': "},
      {"-e clock_ticks --cpmu '0f:*' --cpmu port9", "--cpmu 'port9' matches no CPMU"},
      {"-a -e clock_ticks --duration 0", "--duration '0': expected a decimal number of seconds above 0"},
      {"-a -e clock_ticks --duration 1e300", "--duration '1e300': expected a decimal number of seconds above 0"},
      {"-a -e clock_ticks -I 0", "-I '0': expected a whole number of milliseconds from 10 to"},
      {"-a -e clock_ticks -I 100 --interval-count 0",
       "--interval-count '0': expected a whole number of intervals from 1"},
      {"-e clock_ticks -s zz", "-s 'zz'"},
      {"-e clock_ticks -m mem7", "no CPMU matches -m mem7"},
      {"-a -e clock_ticks -I 5", "-I '5': expected a whole number of milliseconds from 10 to"},
      {"-a -e clock_ticks -I abc", "-I 'abc': expected a whole number"},
      {"-a -e clock_ticks --interval-count 2", "--interval-count needs -I MS"},
      {"-a -e clock_ticks --duration 1 -- true", "a COMMAND ends the count itself"},
      {"-a -e clock_ticks -x , -j", "--field-separator excludes --json"},
      {"-a -e clock_ticks -M no_such_metric", "-M 'no_such_metric': no such metric"},
      {"-a -e clock_ticks --frobnicate", "--frobnicate"},
      {"-a", "--event is required"},
  };
  for (const auto& [args, message] : cases) {
    auto run = run_cpmu("stat --sim " + args);
    EXPECT_EQ(run.status, 2) << args << "\n" << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << args << "\n" << run.err;
    EXPECT_EQ(run.out, "") << args;
  }
}

// A dump has config space only: CPMUs are found, but nothing can count.
TEST(StatCli, MachineWithoutUsableCpmusIsAnErrorSayingWhy) {
  const std::string dump = "/tmp/cpmu-stat-test-" + std::to_string(::getpid()) + ".txt";
  auto dumped = run_cpmu("dump --sim > " + dump);
  ASSERT_EQ(dumped.status, 0) << dumped.err;
  auto chosen = run_cpmu("stat --dump " + dump + " --cpmu 0000:0f:00.0/0 -e clock_ticks --duration 0.1");
  EXPECT_EQ(chosen.status, 2);
  EXPECT_NE(chosen.err.find("0000:0f:00.0/0: cannot count: capabilities unknown"), std::string::npos) << chosen.err;
  auto all = run_cpmu("stat --dump " + dump + " -a -e clock_ticks --duration 0.1");
  EXPECT_EQ(all.status, 2);
  EXPECT_NE(all.err.find("skipping 0000:0f:00.0/0: capabilities unknown"), std::string::npos) << all.err;
  EXPECT_NE(all.err.find("nothing to count"), std::string::npos) << all.err;
  auto plan = run_cpmu("stat --dump " + dump + " -s 0f:00.0 -e clock_ticks --plan -o -");
  EXPECT_EQ(plan.status, 0) << plan.err;
  EXPECT_NE(plan.out.find("0000:0f:00.0/1:\n  cannot count here: capabilities unknown"), std::string::npos) << plan.out;
  std::remove(dump.c_str());

  auto none = run_cpmu("stat --dump " + cpmu::testing::qemu_dump("switch") + " -a -e clock_ticks");
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("no CPMU on this machine (backend dump)"), std::string::npos) << none.err;
}

TEST(StatCli, CpmuInUseByAnotherProcessIsRefusedNamingTheHolder) {
  const auto dir = std::filesystem::temp_directory_path() / ("cpmu-stat-lock-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto lock = CpmuLock::acquire({dir.string()}, PciAddress{0, 0x0f, 0, 0}, 0);
  ASSERT_TRUE(lock) << lock.error().message();
  const std::string env = "CPMU_LOCK_DIR=" + dir.string() + " ";
  auto chosen = run_command(env, kStat + "-e clock_ticks --cpmu 0000:0f:00.0/0 --duration 0.1");
  EXPECT_EQ(chosen.status, 2);
  EXPECT_NE(chosen.err.find("0000:0f:00.0/0: cannot count"), std::string::npos) << chosen.err;
  EXPECT_NE(chosen.err.find("process " + std::to_string(::getpid())), std::string::npos) << chosen.err;

  // With -a the CPMU is skipped with the same words, and the others count.
  auto all = run_command(env, kStat + "-A -a -e clock_ticks --duration 0.1");
  EXPECT_EQ(all.status, 0) << all.err;
  EXPECT_NE(all.err.find("skipping 0000:0f:00.0/0"), std::string::npos) << all.err;
  EXPECT_EQ(count_line(all.out, "clock_ticks", "0000:0f:00.0/0"), "") << all.out;
  EXPECT_NE(count_line(all.out, "clock_ticks", "0000:0f:00.0/1"), "") << all.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cpmu
