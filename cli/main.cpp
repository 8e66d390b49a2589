// cpmu: the command-line front end.
#include <CLI/CLI.hpp>

#include "command.hpp"

int main(int argc, char** argv) {
  using namespace cpmu::cli;
  CLI::App app{"cpmu: inspect and count CXL Performance Monitoring Units"};
  app.set_version_flag("--version", std::string("cpmu ") + CPMU_VERSION);
  app.require_subcommand(1);

  Runner selected;
  for (const Command& command : commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.summary);
    Runner run = command.setup(*sub);
    sub->final_callback([&selected, run] { selected = run; });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    return status == 0 ? kExitOk : kExitUsage;
  }
  return selected ? selected() : kExitUsage;
}
