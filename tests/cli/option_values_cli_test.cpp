// Every numeric and separator option of cpmu stat against one rule each
// (cli/option_values.hpp, cpmu(1)): values that overflowed a conversion
// (--duration 1e300 was undefined behaviour), meant "off" silently (-I 0),
// or made ambiguous CSV (-x '"', a newline) are errors that echo the value
// printably and cut short, and exit 2 with nothing on standard output.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "cpmu/printable_text.hpp"
#include "run_cli.hpp"

namespace cpmu {
namespace {

using cpmu::testing::run_command;

TEST(OptionValues, EveryBadValueIsAnErrorNamingTheOptionAndTheRule) {
  const std::string ms = "expected a whole number of milliseconds from 10 to 86400000";
  const std::string seconds = "expected a decimal number of seconds above 0 and at most 315360000";
  const std::string separator = "expected one or more characters, none a double quote or a control character";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"-I 0", "-I '0': " + ms},
      {"-I 9", "-I '9': " + ms},
      {"-I 86400001", "-I '86400001': " + ms},
      {"-I -5", "-I '-5': " + ms},
      {"-I 0x10", "-I '0x10': " + ms},
      {"-I 1e3", "-I '1e3': " + ms},
      {"-I 4294967306", "-I '4294967306': " + ms},
      {"-I 100 --interval-count 0", "--interval-count '0': expected a whole number of intervals from 1 to"},
      {"-I 100 --interval-count 99999999999", "--interval-count '99999999999': expected a whole number"},
      {"--duration 1e300", "--duration '1e300': " + seconds},
      {"--duration 1e400", "--duration '1e400': " + seconds},
      {"--duration 9.4e9", "--duration '9.4e9': " + seconds},
      {"--duration 0", "--duration '0': " + seconds},
      {"--duration -1", "--duration '-1': " + seconds},
      {"--duration nan", "--duration 'nan': " + seconds},
      {"--duration inf", "--duration 'inf': " + seconds},
      {"--duration 0x10", "--duration '0x10': " + seconds},
      {"-x '\"'", "-x '\"': " + separator},
      {"-x \"$(printf 'a\\nb')\"", "-x 'a\\x0ab': " + separator},
      {"-x \"$(printf '\\033[31m')\"", "-x '\\x1b[31m': " + separator},
      {"-x ''", "-x '': " + separator},
  };
  for (const auto& [args, message] : cases) {
    auto run = run_command("", "stat --sim -a -e clock_ticks " + args);
    EXPECT_EQ(run.status, 2) << args << "\n" << run.err;
    EXPECT_NE(run.err.find("cpmu stat: " + message), std::string::npos) << args << "\n" << run.err;
    EXPECT_EQ(run.out, "") << args;
    EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << "no escape reaches the terminal: " << args;
  }
}

TEST(OptionValues, AHugeBadValueIsCutShort) {
  auto run = run_command("", "stat --sim -a -e clock_ticks --duration \"$(head -c 100000 /dev/zero | tr '\\0' 9)x\"");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("--duration '" + std::string(kPrintableLimit, '9') + "...': expected"), std::string::npos)
      << run.err.substr(0, 300);
  EXPECT_LT(run.err.size(), kPrintableLimit + 200);
}

TEST(OptionValues, GoodValuesAtTheLimitsAreTaken) {
  for (const std::string args : {"-I 10 --interval-count 1", "--duration .05", "--duration 5e-2",
                                 "--duration 0.05 -x \"$(printf '\\t')\"", "--duration 0.05 -x ' ; '"}) {
    auto run = run_command("", "stat --sim -o - -e clock_ticks --cpmu 0000:0f:00.0/0 " + args);
    EXPECT_EQ(run.status, 0) << args << "\n" << run.err;
    EXPECT_NE(run.out.find("clock_ticks"), std::string::npos) << args;
  }
}

}  // namespace
}  // namespace cpmu
