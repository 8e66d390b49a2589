#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>

namespace cpmu::top {

std::optional<int> parse_options(int argc, char** argv, Options& o) {
  CLI::App app("cpmutop: the interactive view of CXL traffic across the whole topology", "cpmutop");
  app.set_version_flag("-V,--version", "cpmutop " CPMU_VERSION);
  app.add_option("-d,--delay", o.delay_tenths, "Time between frames in tenths of a second (1..36000)")
      ->check(CLI::Range(1u, 36000u))
      ->type_name("TENTHS");
  app.add_option("-n,--iterations", o.iterations, "Stop after N frames")
      ->check(CLI::Range(1ul, 1ul << 40))
      ->type_name("N");
  app.add_flag("-b,--batch", o.batch, "Batch mode: print plain text frames, no screen");
  app.add_flag("--json", o.json, "With -b: one JSON snapshot document per frame");
  app.add_option("--record", o.record, "Also record every frame to FILE (JSON lines; - for standard output)")
      ->type_name("FILE");
  auto* replay = app.add_option("--replay", o.replay, "Show a recording instead of a machine")->type_name("FILE");
  auto* speed = app.add_option("--speed", o.speed, "With --replay: play X times as fast (0.01..10000)")
                    ->check(CLI::Range(0.01, 10000.0))
                    ->type_name("X");
  app.add_option("--alert", o.alert_texts, "Mark rows crossing a threshold, e.g. util>80, read>=2G (repeatable)")
      ->type_name("EXPR");
  auto* connect =
      app.add_option("--connect", o.connect, "Show a running cpmu-exporter's /json feed at URL")->type_name("URL");
  auto* cacert =
      app.add_option("--cacert", o.cacert,
                     "Trust the exporter's TLS certificate if FILE (PEM) signed it, as for a self-signed one")
          ->type_name("FILE");
  app.add_flag("--ascii", o.ascii, "Draw with ASCII only, even in a UTF-8 locale");
  app.add_option("--rc", o.rc, "Read and save the setup in FILE instead of $XDG_CONFIG_HOME/cpmu/cpmutoprc")
      ->type_name("FILE");
  o.machine.add_to(app);
  speed->needs(replay);
  replay->excludes(connect);
  cacert->needs(connect);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      app.exit(e);
      return kExitOk;
    }
    std::string message = e.what();
    fmt::print(stderr, "cpmutop: {} (see cpmutop --help)\n", message);
    return kExitUsage;
  }
  if (o.json && !o.batch) {
    fmt::print(stderr, "cpmutop: --json needs -b (batch mode)\n");
    return kExitUsage;
  }
  for (const std::string& text : o.alert_texts) {
    auto alert = parse_alert(text);
    if (!alert) {
      fmt::print(stderr, "cpmutop: {}\n", alert.error().message());
      return kExitUsage;
    }
    o.alerts.push_back(*alert);
  }
  for (const char* name : {"--sim", "--topology", "--dump", "--sysfs"}) {
    if (app.get_option(name)->count() > 0) o.machine_given = true;
  }
  if (o.machine_given && (!o.replay.empty() || !o.connect.empty())) {
    fmt::print(stderr, "cpmutop: {} shows no machine: leave out --sim, --topology, --dump and --sysfs\n",
               o.replay.empty() ? "--connect" : "--replay");
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace cpmu::top
