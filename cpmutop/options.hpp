// cpmutop's command line: -d, -n, -b, --json, --record, --replay, --speed,
// --alert, --connect and the machine-source options every cpmu front end
// takes (cli/machine_source.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alert.hpp"
#include "machine_source.hpp"

namespace cpmu::top {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

struct Options {
  std::optional<unsigned> delay_tenths;     // -d; else the rc file's
  std::optional<unsigned long> iterations;  // -n
  bool batch = false;
  bool json = false;
  std::string record;
  std::string replay;
  double speed = 1;
  std::vector<std::string> alert_texts;
  std::vector<Alert> alerts;
  std::string connect;
  std::string cacert;  // --cacert FILE: the CA that signed the exporter's certificate
  bool ascii = false;  // --ascii: no Unicode even in a UTF-8 locale
  std::string rc;      // --rc FILE: instead of $XDG_CONFIG_HOME/cpmu/cpmutoprc
  cli::MachineSourceOptions machine;
  bool machine_given = false;  // a machine-source option was on the command line
};

// Parses argv. Returns an exit code when the program should end now (help,
// version: 0; a bad option: 2, after a one-line message naming it).
std::optional<int> parse_options(int argc, char** argv, Options& options);

}  // namespace cpmu::top
