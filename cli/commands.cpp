// The table of cpmu subcommands, in the order --help lists them.
#include "command.hpp"

namespace cpmu::cli {

Runner setup_list(CLI::App& subcommand);   // cmd_list.cpp
Runner setup_events(CLI::App& subcommand); // cmd_events.cpp
Runner setup_dump(CLI::App& subcommand);   // cmd_dump.cpp
Runner setup_doe(CLI::App& subcommand);    // cmd_doe.cpp
Runner setup_cdat(CLI::App& subcommand);   // cmd_cdat.cpp
Runner setup_stat(CLI::App& subcommand);   // cmd_stat.cpp
Runner setup_record(CLI::App& subcommand);  // cmd_record.cpp
Runner setup_report(CLI::App& subcommand);  // cmd_report.cpp
Runner setup_perf(CLI::App& subcommand);   // cmd_perf.cpp

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"list", "List CXL components with their CPMUs and DOE mailboxes, as a tree or JSON", &setup_list},
      {"events", "List what each CPMU can count: catalogue events, aggregates and metrics, like perf list",
       &setup_events},
      {"dump", "Print every function's config space as lspci -xxxx text, for offline analysis", &setup_dump},
      {"doe", "List DOE mailboxes and the protocols each one answers", &setup_doe},
      {"cdat", "Read, validate and decode CDAT: latency and bandwidth per DPA range and switch port pair", &setup_cdat},
      {"stat", "Count events on CPMUs, system wide or while a command runs, like perf stat", &setup_stat},
      {"record", "Record snapshots of CPMU counts while a command runs, as JSON lines", &setup_record},
      {"report", "Summarise a recording: totals, mean and peak bandwidth, utilisation against CDAT", &setup_report},
      {"perf", "perf integration: the kernel's cxl_pmu event strings for the catalogue (perf events)", &setup_perf},
  };
  return table;
}

}  // namespace cpmu::cli
