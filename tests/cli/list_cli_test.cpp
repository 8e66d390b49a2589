// `cpmu list` end to end: the built binary over QEMU 7.2's lspci -xxxx dumps
// (QEMU's own CXL device models; expected values from
// shared/qemu-cxl/dumps/README.md) and over damaged copies of them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>

#include "run_cli.hpp"

namespace cpmu {
namespace {

using nlohmann::json;
using cpmu::testing::qemu_dump;
using cpmu::testing::run_cpmu;

std::map<std::string, json> by_bdf(const json& list) {
  std::map<std::string, json> functions;
  for (const auto& f : list["functions"]) functions[f["bdf"]] = f;
  return functions;
}

std::vector<std::pair<int, int>> dvsecs(const json& f) {
  std::vector<std::pair<int, int>> out;
  for (const auto& d : f["dvsecs"]) out.emplace_back(d["id"], d["offset"]);
  return out;
}

std::vector<std::tuple<int, int, std::uint64_t>> blocks(const json& f) {
  std::vector<std::tuple<int, int, std::uint64_t>> out;
  for (const auto& b : f["register_blocks"]) out.emplace_back(b["bir"], b["block_id"], b["offset"]);
  return out;
}

std::vector<int> does(const json& f) {
  std::vector<int> out;
  for (const auto& d : f["doe_mailboxes"]) out.push_back(d["offset"]);
  return out;
}

TEST(ListCli, QemuSwitchDumpShowsEveryDvsecBlockAndDoeAndNoCpmu) {
  auto run = run_cpmu("list --json --dump " + qemu_dump("switch"));
  ASSERT_EQ(run.status, 0) << run.err;
  json list = json::parse(run.out);
  EXPECT_EQ(list["schema_version"], 2);
  EXPECT_EQ(list["backend"], "dump");
  ASSERT_EQ(list["host_bridges"].size(), 1u);
  EXPECT_EQ(list["host_bridges"][0]["name"], "pci0000:0c");
  auto f = by_bdf(list);
  ASSERT_EQ(f.size(), 6u);
  const std::string rp = "0000:0c:00.0", usp = "0000:0d:00.0", dsp0 = "0000:0e:00.0", dsp1 = "0000:0e:01.0",
                    ep0 = "0000:0f:00.0", ep1 = "0000:10:00.0";
  EXPECT_EQ(f[rp]["kind"], "root_port");
  EXPECT_EQ(f[usp]["kind"], "switch_upstream_port");
  EXPECT_EQ(f[dsp0]["kind"], "switch_downstream_port");
  EXPECT_EQ(f[dsp1]["kind"], "switch_downstream_port");
  EXPECT_EQ(f[ep0]["kind"], "endpoint");
  EXPECT_EQ(f[ep1]["kind"], "endpoint");
  EXPECT_FALSE(f[rp].contains("parent"));
  EXPECT_EQ(f[usp]["parent"], rp);
  EXPECT_EQ(f[dsp1]["parent"], usp);
  EXPECT_EQ(f[ep0]["parent"], dsp0);
  EXPECT_EQ(f[ep1]["parent"], dsp1);

  using Dvsecs = std::vector<std::pair<int, int>>;
  EXPECT_EQ(dvsecs(f[rp]), (Dvsecs{{3, 0x150}, {4, 0x178}, {7, 0x188}, {8, 0x19c}}));
  EXPECT_EQ(dvsecs(f[usp]), (Dvsecs{{3, 0x148}, {7, 0x170}, {8, 0x184}}));
  EXPECT_EQ(dvsecs(f[dsp0]), (Dvsecs{{3, 0x148}, {7, 0x170}, {4, 0x184}, {8, 0x194}}));
  EXPECT_EQ(dvsecs(f[ep0]), (Dvsecs{{0, 0x10c}, {8, 0x144}, {5, 0x168}}));
  EXPECT_EQ(dvsecs(f[ep1]), (Dvsecs{{0, 0x10c}, {8, 0x144}, {5, 0x168}}));

  using Blocks = std::vector<std::tuple<int, int, std::uint64_t>>;
  for (const auto& port : {rp, usp, dsp0, dsp1}) EXPECT_EQ(blocks(f[port]), (Blocks{{0, 1, 0}})) << port;
  EXPECT_EQ(blocks(f[ep0]), (Blocks{{0, 1, 0}, {2, 3, 0}}));
  EXPECT_FALSE(f[ep0]["register_blocks"][0].contains("bar_size"));   // dumps carry no BAR sizes

  EXPECT_EQ(does(f[usp]), std::vector<int>{0x1a8});
  EXPECT_EQ(does(f[ep0]), std::vector<int>{0x190});
  EXPECT_EQ(does(f[ep1]), std::vector<int>{0x190});
  EXPECT_TRUE(does(f[rp]).empty());
  EXPECT_EQ(f[ep0]["serial_number"], 0x1000);
  EXPECT_EQ(f[ep1]["serial_number"], 0x1001);

  std::size_t cpmus = 0;
  for (const auto& [bdf, fn] : f) {
    cpmus += fn["cpmus"].size();
    EXPECT_TRUE(fn["problems"].empty()) << bdf << ": " << fn["problems"].dump();
  }
  EXPECT_EQ(cpmus, 0u);   // QEMU 7.2 emulates no CPMU
}

TEST(ListCli, QemuFullDumpHasTwoHostBridgesAndTenCxlFunctions) {
  auto run = run_cpmu("list --json --dump " + qemu_dump("full"));
  ASSERT_EQ(run.status, 0) << run.err;
  json list = json::parse(run.out);
  ASSERT_EQ(list["host_bridges"].size(), 2u);
  EXPECT_EQ(list["host_bridges"][1]["name"], "pci0000:de");
  auto f = by_bdf(list);
  ASSERT_EQ(f.size(), 10u);
  EXPECT_EQ(f["0000:0d:00.0"]["parent"], "0000:0c:00.0");
  EXPECT_EQ(f["0000:11:00.0"]["parent"], "0000:0f:01.0");
  EXPECT_EQ(f["0000:df:00.0"]["host_bridge"], "pci0000:de");
  EXPECT_EQ(does(f["0000:0e:00.0"]), std::vector<int>{0x1a8});
  for (const auto& [bdf, fn] : f) EXPECT_TRUE(fn["cpmus"].empty()) << bdf;
}

TEST(ListCli, TreeShowsTheSwitchHierarchy) {
  // Box drawing needs a UTF-8 locale (ASCII otherwise: cli_usage_test.cpp).
  auto run = testing::run_command("LC_ALL=C.UTF-8 ", "list --dump " + qemu_dump("switch"));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("pci0000:0c host bridge"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("└─ 0000:0c:00.0 root port (CXL)  8086:7075  link 2.5GT/s x1"), std::string::npos);
  EXPECT_NE(run.out.find("   └─ 0000:0d:00.0 switch upstream port (CXL)  19e5:a128"), std::string::npos);
  EXPECT_NE(run.out.find("├─ 0000:0e:00.0 switch downstream port"), std::string::npos);
  EXPECT_NE(run.out.find("└─ 0000:0f:00.0 endpoint (CXL memory device)  8086:0d93  link 2.5GT/s x1  sn 0x1000"),
            std::string::npos);
}

TEST(ListCli, FiltersBySlotTypeAndMemdev) {
  // A filter that matches nothing exits 1, naming it (cpmu(1) EXIT STATUS).
  auto json_of = [](const std::string& args, int status = 0) {
    auto run = run_cpmu("list --json --dump " + qemu_dump("full") + " " + args);
    EXPECT_EQ(run.status, status) << args << ": " << run.err;
    if (status != 0) {
      EXPECT_NE(run.err.find("no CXL function matches " + args), std::string::npos) << run.err;
    }
    return by_bdf(json::parse(run.out));
  };
  auto endpoints = json_of("-t endpoint");
  EXPECT_EQ(endpoints.size(), 4u);
  auto dsps = json_of("-s 0f:");
  EXPECT_EQ(dsps.size(), 2u);
  EXPECT_EQ(json_of("-s 0f:1").size(), 1u);
  EXPECT_EQ(json_of("-s 0f:.1", 1).size(), 0u);
  EXPECT_EQ(json_of("-s de:00.0").size(), 1u);
  EXPECT_EQ(json_of("-s 0000:0c:01 -t root-port").size(), 1u);
  EXPECT_EQ(json_of("-m mem0", 1).size(), 0u);  // a dump has no kernel names
  auto bad = run_cpmu("list --dump " + qemu_dump("full") + " -s 0g:");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("-s '0g:'"), std::string::npos) << bad.err;
  auto bad_type = run_cpmu("list --dump " + qemu_dump("full") + " -t switch");
  EXPECT_EQ(bad_type.status, 2);
}

TEST(ListCli, AllListsTheNonCxlFunctionsToo) {
  auto run = run_cpmu("list --json --all --dump " + qemu_dump("switch"));
  ASSERT_EQ(run.status, 0) << run.err;
  auto f = by_bdf(json::parse(run.out));
  EXPECT_EQ(f.size(), 10u);   // q35's host bridge, LPC, SATA and SMBus as well
  EXPECT_EQ(f["0000:00:1f.2"]["cxl"], false);
}

std::string switch_dump_text() {
  std::ifstream in(qemu_dump("switch"));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string damaged_copy(const std::string& name, const std::function<std::string(std::string)>& damage) {
  std::string text = switch_dump_text();
  std::string path = "/tmp/cpmu-list-test-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << damage(text);
  return path;
}

TEST(ListCli, AFunctionCutShortInTheDumpIsReportedAndTheRestListed) {
  // Keep only the first 64 bytes (4 lines) of 0f:00.0.
  auto path = damaged_copy("cut", [](std::string text) {
    auto start = text.find("0f:00.0 ");
    auto cut = text.find("40: ", start);
    auto end = text.find("\n\n", start);
    return text.erase(cut, end + 1 - cut);
  });
  auto run = run_cpmu("list --json --dump " + path);
  std::remove(path.c_str());
  EXPECT_EQ(run.status, 1) << run.err;
  auto f = by_bdf(json::parse(run.out));
  EXPECT_EQ(f.size(), 6u);
  ASSERT_FALSE(f["0000:0f:00.0"]["problems"].empty());
  EXPECT_NE(f["0000:0f:00.0"]["problems"][0]["message"].get<std::string>().find("0000:0f:00.0"), std::string::npos);
  EXPECT_TRUE(f["0000:10:00.0"]["problems"].empty());
  EXPECT_EQ(does(f["0000:10:00.0"]), std::vector<int>{0x190});
}

TEST(ListCli, GoneFunctionAndLoopingChainAreReportedWhereTheyAre) {
  auto path = damaged_copy("bad", [](std::string text) {
    // The USP's DOE header at 0x1a8 now points back to its first DVSEC at 0x148.
    auto usp = text.find("0d:00.0 ");
    auto line = text.find("\n1a0: ", usp) + 1;
    text.replace(line, 40, "1a0: 00 00 00 00 00 00 00 00 2e 00 81 14");
    // 0f:00.0 reads all ones.
    auto gone = text.find("0f:00.0 ");
    auto end = text.find("\n\n", gone);
    for (auto at = text.find("\n", gone) + 1; at < end; at = text.find("\n", at) + 1) {
      auto bytes = text.find(": ", at) + 2;   // "00: " up to 0xf0, "100: " from 0x100
      for (std::size_t b = 0; b < 16; ++b) text.replace(bytes + 3 * b, 2, "ff");
    }
    return text;
  });
  auto run = run_cpmu("list --json --dump " + path);
  auto tree = run_cpmu("list --dump " + path);
  std::remove(path.c_str());
  EXPECT_EQ(run.status, 1) << run.err;
  auto f = by_bdf(json::parse(run.out));
  ASSERT_EQ(f.size(), 6u);
  auto usp = f["0000:0d:00.0"];
  ASSERT_EQ(usp["problems"].size(), 1u);
  EXPECT_EQ(usp["problems"][0]["message"], "capability chain loops at 0x148");
  EXPECT_EQ(usp["problems"][0]["code"], "malformed");
  EXPECT_EQ(does(usp), std::vector<int>{0x1a8});   // everything up to the loop is kept
  auto gone = f["0000:0f:00.0"];
  EXPECT_EQ(gone["responding"], false);
  ASSERT_EQ(gone["problems"].size(), 1u);
  EXPECT_EQ(gone["problems"][0]["message"], "device not responding (reads all ones)");
  EXPECT_TRUE(f["0000:10:00.0"]["problems"].empty());
  EXPECT_EQ(tree.status, 1);
  EXPECT_NE(tree.out.find("problem: capability chain loops at 0x148"), std::string::npos) << tree.out;
  EXPECT_NE(tree.out.find("problem: device not responding (reads all ones)"), std::string::npos);
}

// The 1-based number of the line that starts at `pos`.
unsigned line_at(const std::string& text, std::size_t pos) {
  return static_cast<unsigned>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n')) + 1;
}

// The node lines ("0000:0c:00.0 root port ...") of a tree, but `except`'s.
std::vector<std::string> node_lines(const std::string& tree, const std::string& except) {
  std::vector<std::string> lines;
  std::istringstream in(tree);
  for (std::string line; std::getline(in, line);) {
    if (line.find("0000:") != std::string::npos && line.find("problem:") == std::string::npos &&
        line.find(except) == std::string::npos) {
      lines.push_back(line);
    }
  }
  return lines;
}

// A garbled row spoils only its function: the switch upstream port is listed
// with the problem (file:line: what), every other function exactly as from
// the good file, and the status says the listing is partial.
TEST(ListCli, AGarbledFunctionIsListedWithItsLineAndTheRestAsFromTheGoodFile) {
  const std::string usp = "0000:0d:00.0";
  const std::string text = switch_dump_text();
  const std::size_t row = text.find("\n30: ", text.find("\n0d:00.0 ")) + 1;
  auto garbled = damaged_copy("garbled", [row](std::string t) { return t.replace(row, 3, "3g:"); });
  const std::string where = fmt::format("{}:{}: ", garbled, line_at(text, row));

  auto good = run_cpmu("list --json --all --dump " + qemu_dump("switch"));
  auto run = run_cpmu("list --json --all --dump " + garbled);
  auto tree = run_cpmu("list --dump " + garbled);
  auto good_tree = run_cpmu("list --dump " + qemu_dump("switch"));
  std::remove(garbled.c_str());
  ASSERT_EQ(good.status, 0) << good.err;
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_EQ(run.err, "");
  const json list = json::parse(run.out);
  EXPECT_TRUE(list["problems"].empty());
  auto f = by_bdf(list);
  auto g = by_bdf(json::parse(good.out));
  ASSERT_EQ(f.size(), g.size());
  for (const auto& [bdf, function] : g) {
    if (bdf != usp) {
      EXPECT_EQ(f[bdf], function) << bdf;
    }
  }
  ASSERT_FALSE(f[usp]["problems"].empty());
  EXPECT_EQ(f[usp]["problems"][0]["code"], "malformed");
  const std::string message = f[usp]["problems"][0]["message"];
  EXPECT_TRUE(message.starts_with(where + "'3g' is not a hexadecimal config-space offset")) << message;
  EXPECT_NE(message.find("only the 48 config-space bytes of 0000:0d:00.0 before it are read"), std::string::npos)
      << message;
  EXPECT_EQ(f[usp]["device_id"], g[usp]["device_id"]);   // the header is read

  EXPECT_EQ(tree.status, 1) << tree.err;
  EXPECT_NE(tree.out.find("problem: " + where + "'3g' is not"), std::string::npos) << tree.out;
  for (const std::string& line : node_lines(good_tree.out, usp)) {
    EXPECT_NE(tree.out.find(line), std::string::npos) << line << "\n" << tree.out;
  }
}

// Lines that belong to no function are the dump's own problem: shown, and
// every function listed as from the good file.
TEST(ListCli, GarbageOutsideAnyFunctionIsTheMachinesProblem) {
  auto garbage = damaged_copy("garbage", [](std::string t) { return "lspci output follows\n" + t; });
  auto good = run_cpmu("list --json --all --dump " + qemu_dump("switch"));
  auto run = run_cpmu("list --json --all --dump " + garbage);
  auto tree = run_cpmu("list --dump " + garbage);
  std::remove(garbage.c_str());
  EXPECT_EQ(run.status, 1) << run.err;
  const json list = json::parse(run.out);
  ASSERT_EQ(list["problems"].size(), 1u);
  const std::string message = list["problems"][0]["message"];
  EXPECT_TRUE(message.starts_with(garbage + ":1: expected a device header")) << message;
  EXPECT_EQ(list["functions"], json::parse(good.out)["functions"]);
  EXPECT_EQ(tree.status, 1);
  EXPECT_NE(tree.out.find("problem: " + garbage + ":1: expected a device header"), std::string::npos) << tree.out;
}

TEST(ListCli, ATruncatedDumpListsWhatItHolds) {
  auto truncated = damaged_copy("truncated", [](std::string t) { return t.substr(0, 3000); });
  auto run = run_cpmu("list --json --all --dump " + truncated);
  std::remove(truncated.c_str());
  EXPECT_EQ(run.status, 1) << run.err;
  auto f = by_bdf(json::parse(run.out));
  ASSERT_FALSE(f.empty());
  const json& last = f.rbegin()->second;
  ASSERT_FALSE(last["problems"].empty());
  EXPECT_NE(last["problems"][0]["message"].get<std::string>().find("the file is truncated"), std::string::npos);
  for (auto it = f.begin(); it != std::prev(f.end()); ++it) EXPECT_TRUE(it->second["problems"].empty()) << it->first;
}

// Nothing that is a device: the machine cannot be opened at all.
TEST(ListCli, ADumpWithoutDevicesIsABackendError) {
  auto junk = damaged_copy("junk", [](std::string) { return std::string("this is not lspci output\n"); });
  auto run = run_cpmu("list --dump " + junk);
  std::remove(junk.c_str());
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find(junk + ": no device header"), std::string::npos) << run.err;
  EXPECT_EQ(run_cpmu("list --dump /nonexistent/dump.txt").status, 2);
}

// Runs as `nobody` when we are root, so that Linux cuts config space at 64
// bytes as it does for any unprivileged user (this machine's own /sys).
TEST(ListCli, UnprivilegedLinuxPointsToThePerfInterface) {
  std::string dir = "/tmp/cpmu-list-es-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir + "/devices/cxl_pmu_mem0.0");
  std::filesystem::permissions(dir, std::filesystem::perms::all, std::filesystem::perm_options::add);
  std::filesystem::permissions(dir + "/devices", std::filesystem::perms::all, std::filesystem::perm_options::add);
  auto run = [&](const std::string& args) {
    return ::geteuid() == 0 ? cpmu::testing::run_cpmu_as_nobody(args) : run_cpmu(args);
  };
  auto text = run("list --event-source-sysfs " + dir);
  auto listing = run("list --json --event-source-sysfs " + dir);
  std::filesystem::remove_all(dir);
  if (text.status == 126 || text.status == 127 || text.err.rfind("setpriv:", 0) == 0) {
    GTEST_SKIP() << "the binary cannot be run as nobody here (a build directory only root may enter?): "
                 << text.err;
  }
  EXPECT_EQ(text.status, 1) << text.err;
  EXPECT_NE(text.err.find("extended configuration space needs root"), std::string::npos) << text.err;
  EXPECT_NE(text.out.find("kernel's perf interface"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  cxl_pmu_mem0.0"), std::string::npos) << text.out;
  EXPECT_EQ(listing.status, 1);
  json j = json::parse(listing.out);
  EXPECT_EQ(j["privileged"], false);
  EXPECT_EQ(j["perf_pmus"], json::array({"cxl_pmu_mem0.0"}));
  ASSERT_EQ(j["problems"].size(), 1u);
  EXPECT_EQ(j["problems"][0]["code"], "permission_denied");
}

}  // namespace
}  // namespace cpmu
