// What a new user meets first, on the built binary: mistyped commands,
// `cpmu help`, option errors that name their command, ASCII output outside a
// UTF-8 locale, and a man page that lists every option --help shows.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "run_cli.hpp"

namespace cpmu {
namespace {

using testing::run_command;
using testing::run_cpmu;

const std::vector<std::string> kCommands = {"list", "events", "dump", "doe", "cdat", "stat"};

TEST(CliUsage, UnknownCommandSuggestsTheNearestOne) {
  auto typo = run_cpmu("lst");
  EXPECT_EQ(typo.status, 2);
  EXPECT_EQ(typo.err, "cpmu: unknown command 'lst' (did you mean list?)\n");
  auto swap = run_cpmu("sttat --sim");
  EXPECT_EQ(swap.err, "cpmu: unknown command 'sttat' (did you mean stat?)\n");
  auto far = run_cpmu("frobnicate");
  EXPECT_EQ(far.status, 2);
  EXPECT_EQ(far.err,
            "cpmu: unknown command 'frobnicate' (commands: list, events, dump, doe, cdat, stat, record, report, perf, "
            "help)\n");
}

TEST(CliUsage, HelpShowsTheOverviewOrOneCommandsOptions) {
  auto overview = run_cpmu("help");
  EXPECT_EQ(overview.status, 0) << overview.err;
  for (const std::string& command : kCommands) {
    EXPECT_NE(overview.out.find("\n  " + command + " "), std::string::npos) << command;
  }

  auto stat = run_cpmu("help stat");
  EXPECT_EQ(stat.status, 0) << stat.err;
  EXPECT_EQ(stat.err, "");
  EXPECT_NE(stat.out.find("Usage: cpmu stat"), std::string::npos) << stat.out;
  EXPECT_NE(stat.out.find("-e,--event"), std::string::npos) << stat.out;
  EXPECT_EQ(stat.out.find("is required"), std::string::npos) << stat.out;
  EXPECT_EQ(run_cpmu("stat --help").out, stat.out);

  auto nosuch = run_cpmu("help nosuch");
  EXPECT_EQ(nosuch.status, 2);
  EXPECT_NE(nosuch.err.find("unknown command 'nosuch'"), std::string::npos) << nosuch.err;
  EXPECT_EQ(nosuch.out, "");
}

TEST(CliUsage, EveryOptionErrorNamesItsCommand) {
  for (const std::string& command : kCommands) {
    // stat's one required option given, so the unknown one is the error.
    auto run = run_cpmu(command + (command == "stat" ? " -e clock_ticks" : "") + " --no-such-option");
    EXPECT_EQ(run.status, 2) << command;
    EXPECT_EQ(run.err.rfind("cpmu " + command + ": ", 0), 0u) << run.err;
    EXPECT_NE(run.err.find("--no-such-option"), std::string::npos) << run.err;
  }
  auto missing = run_cpmu("stat --sim -a");
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.err.rfind("cpmu stat: --event is required (or -M METRICS", 0), 0u) << missing.err;
  auto bad_value = run_cpmu("stat --sim -a -e clock_ticks -I ten");
  EXPECT_EQ(bad_value.err.rfind("cpmu stat: ", 0), 0u) << bad_value.err;
  EXPECT_EQ(run_cpmu("").err.rfind("cpmu: a command is required", 0), 0u);
  auto early = run_cpmu("--sim list");
  EXPECT_EQ(early.status, 2);
  EXPECT_EQ(early.err, "cpmu: --sim is no option of cpmu itself: options go after the command, e.g. cpmu list --sim\n");
  EXPECT_EQ(run_cpmu("--version").status, 0);
}

bool all_ascii(const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Every command's output, under a locale: stdout and stderr together.
std::vector<std::string> outputs_under(const std::string& locale) {
  std::vector<std::string> out;
  for (const char* args : {"list --sim -v", "events --sim --metrics", "dump --sim", "doe --sim", "cdat --sim",
                           "stat --sim --plan -a -e clock_ticks,m2s_req_memrd",
                           "stat --sim -a -e clock_ticks -M read_bandwidth --duration 0.05 -I 20"}) {
    auto run = run_command("LC_ALL=" + locale + " ", args);
    EXPECT_LE(run.status, 1) << args << ": " << run.err;
    out.push_back(run.out + run.err);
  }
  return out;
}

TEST(CliUsage, OutsideAUtf8LocaleEveryOutputIsAscii) {
  for (const std::string& text : outputs_under("C")) EXPECT_TRUE(all_ascii(text)) << text;
  auto tree = run_command("LC_ALL=C ", "list --sim");
  EXPECT_NE(tree.out.find("\n|- 0000:0c:00.0 root port"), std::string::npos) << tree.out;
  EXPECT_NE(tree.out.find("|  `- 0000:0d:00.0 switch upstream port"), std::string::npos) << tree.out;
  EXPECT_NE(tree.out.find("cpmu0: 4 counters x 32 bit"), std::string::npos) << tree.out;
}

TEST(CliUsage, UnderAUtf8LocaleTheTreeIsDrawnWithBoxCharacters) {
  auto tree = run_command("LC_ALL=C.UTF-8 ", "list --sim");
  EXPECT_NE(tree.out.find("\n\u251c\u2500 0000:0c:00.0 root port"), std::string::npos) << tree.out;
  EXPECT_NE(tree.out.find("\u2502  \u2514\u2500 0000:0d:00.0 switch upstream port"), std::string::npos) << tree.out;
  EXPECT_NE(tree.out.find("cpmu0: 4 counters \u00d7 32 bit"), std::string::npos) << tree.out;
}

std::string man_page() {
  std::ifstream in(std::string(CPMU_SOURCE_DIR) + "/man/cpmu.1.md");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The SYNOPSIS lines about one command ("**cpmu stat**..."), with the backend
// options' line where they refer to it.
std::string synopsis_of(const std::string& page, const std::string& command) {
  const auto start = page.find("# SYNOPSIS");
  const std::string synopsis = page.substr(start, page.find("\n# ", start + 1) - start);
  std::istringstream lines(synopsis);
  std::string line, own, backend;
  while (std::getline(lines, line)) {
    if (line.rfind("**cpmu " + command + "**", 0) == 0) own += line + "\n";
    if (line.rfind("*BACKEND OPTIONS*:", 0) == 0) backend = line;
  }
  if (own.find("[*BACKEND OPTIONS*]") != std::string::npos) own += backend;
  return own;
}

// Option names (-e, --event) of a command's --help, but -h/--help, which
// the page gives once for all.
std::vector<std::string> help_options(const std::string& help) {
  std::vector<std::string> names;
  const std::regex option_line("^  (-[-A-Za-z0-9,]+)");
  std::istringstream lines(help);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (!std::regex_search(line, m, option_line)) continue;
    std::istringstream spec(m[1].str());
    for (std::string name; std::getline(spec, name, ',');) {
      if (name != "-h" && name != "--help") names.push_back(name);
    }
  }
  return names;
}

TEST(CliUsage, ManPageSynopsisHasEveryCommandAndOption) {
  const std::string page = man_page();
  ASSERT_FALSE(page.empty());
  for (const std::string& command : kCommands) {
    const std::string synopsis = synopsis_of(page, command);
    ASSERT_FALSE(synopsis.empty()) << "no SYNOPSIS line for cpmu " << command;
    auto help = run_cpmu("help " + command);
    ASSERT_EQ(help.status, 0) << help.err;
    const std::vector<std::string> names = help_options(help.out);
    EXPECT_FALSE(names.empty()) << help.out;
    for (const std::string& name : names) {
      EXPECT_NE(synopsis.find("**" + name + "**"), std::string::npos) << "cpmu " << command << " " << name;
    }
  }
  EXPECT_FALSE(synopsis_of(page, "help").empty());
  const auto top_at = page.find("**cpmu** [");
  ASSERT_NE(top_at, std::string::npos);
  const std::string first_line = page.substr(top_at, page.find('\n', top_at) - top_at);
  for (const char* top : {"**--version**", "**-h**", "**--help**"}) {
    EXPECT_NE(first_line.find(top), std::string::npos) << top;
  }
}

}  // namespace
}  // namespace cpmu
