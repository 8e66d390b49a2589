// cpmu: the command-line front end.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <clocale>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "output_file.hpp"

namespace {

using namespace cpmu::cli;

// Only LC_CTYPE: it decides whether output may be UTF-8 (see cpmu/text_glyphs.hpp),
// while numbers keep the C locale's format in every message and parser.
void use_environment_charset() { std::setlocale(LC_CTYPE, ""); }

CLI::App* find_command(CLI::App& app, std::string_view name) {
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

std::string command_list(const CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

// Levenshtein distance, for "did you mean" on a mistyped command.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

int unknown_command(const CLI::App& app, std::string_view word) {
  const CLI::App* best = nullptr;
  std::size_t best_distance = 0;
  for (const CLI::App* sub : app.get_subcommands({})) {
    const std::size_t d = edit_distance(word, sub->get_name());
    if (best == nullptr || d < best_distance) best = sub, best_distance = d;
  }
  // Two edits cover a slip or a swap in names this short; further off, a guess would mislead.
  if (best != nullptr && best_distance <= 2) {
    fmt::print(stderr, "cpmu: unknown command '{}' (did you mean {}?)\n", word, best->get_name());
  } else {
    fmt::print(stderr, "cpmu: unknown command '{}' (commands: {})\n", word, command_list(app));
  }
  return kExitUsage;
}

// The command a parse error belongs to ("stat"); empty for cpmu's own options.
std::string failed_command(const CLI::App& app) {
  const auto parsed = app.get_subcommands();
  return parsed.empty() ? std::string() : parsed.front()->get_name();
}

int parse_error(const CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) {  // --help or --version: CLI11 prints them, for the command given
    app.exit(e);
    return kExitOk;
  }
  const std::string command = failed_command(app);
  if (command.empty()) {
    fmt::print(stderr, "cpmu: {}\nRun 'cpmu help' for the commands.\n", e.what());
  } else {
    fmt::print(stderr, "cpmu {}: {}\nRun 'cpmu help {}' for its options.\n", command, e.what(), command);
  }
  return kExitUsage;
}

// Runs the command and checks that all it printed reached standard output:
// a write that failed (fmt::print throws std::system_error) or a final flush
// that fails is an error naming the output and the reason, and the exit
// status says so. A failure on standard error itself cannot be reported.
int run_checked(const std::string& command, const Runner& run) {
  const std::string who = command.empty() ? "cpmu" : "cpmu " + command;
  Output out(stdout, "standard output");
  int status = kExitOk;
  cpmu::Status written = out.write([&](std::FILE*) { status = run(); });
  // A command that writes through its own checked Output (stat -o -) has
  // reported the failure already.
  const bool reported = status == kExitOutput && std::ferror(stdout);
  if (written) written = out.finish();
  if (written) return status;
  if (!reported && !std::ferror(stderr)) fmt::print(stderr, "{}: {}\n", who, written.error().message());
  return kExitOutput;
}

}  // namespace

int main(int argc, char** argv) {
  use_environment_charset();
  CLI::App app{"cpmu: inspect and count CXL Performance Monitoring Units", "cpmu"};
  app.set_version_flag("--version", std::string("cpmu ") + CPMU_VERSION);
  app.require_subcommand(1);

  Runner selected;
  for (const Command& command : commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.summary);
    Runner run = command.setup(*sub);
    sub->final_callback([&selected, run] { selected = run; });
  }
  // `cpmu help CMD`: CMD's help without parsing CMD's options, so nothing
  // it requires (stat's --event) is asked for.
  std::string topic;
  CLI::App* help = app.add_subcommand("help", "Show a command's options, or without COMMAND this overview");
  help->add_option("COMMAND", topic, "The command to show");
  help->final_callback([&] {
    selected = [&]() -> int {
      if (topic.empty()) {
        // Not app.help(): that shows the help of the command being run, which is help itself.
        fmt::print("{}", app.get_formatter()->make_help(&app, "cpmu", CLI::AppFormatMode::Normal));
        return kExitOk;
      }
      CLI::App* sub = find_command(app, topic);
      if (sub == nullptr) return unknown_command(app, topic);
      fmt::print("{}", sub->help("cpmu"));
      return kExitOk;
    };
  });

  if (argc < 2) {
    fmt::print(stderr, "cpmu: a command is required (commands: {})\nRun 'cpmu help' for the commands.\n",
               command_list(app));
    return kExitUsage;
  }
  // A first word that is no option and no command is a mistyped command, and
  // an option before the command is one of a command's: CLI11 alone would
  // only say that a subcommand is required.
  const std::string_view first = argv[1];
  if (first[0] != '-' && find_command(app, first) == nullptr) return unknown_command(app, first);
  if (first[0] == '-' && first != "-h" && first != "--help" && first != "--version") {
    fmt::print(stderr, "cpmu: {} is no option of cpmu itself: options go after the command, e.g. cpmu list {}\n",
               first, first);
    return kExitUsage;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  return selected ? run_checked(failed_command(app), selected) : kExitUsage;
}
