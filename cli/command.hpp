// The cpmu command table: each subcommand lives in its own cmd_<name>.cpp and
// registers its options on a CLI11 subcommand, returning what runs it.
#pragma once

#include <functional>
#include <vector>

namespace CLI {
class App;
}

namespace cpmu::cli {

// Exit statuses shared by every command (documented in cpmu(1)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitPartial = 1;   // some items failed, the rest is complete
inline constexpr int kExitUsage = 2;     // bad options, or the machine could not be opened
inline constexpr int kExitOutput = 2;    // the output could not be written (full disk, closed pipe)

using Runner = std::function<int()>;

struct Command {
  const char* name;
  const char* summary;
  Runner (*setup)(CLI::App& subcommand);
};

const std::vector<Command>& commands();

}  // namespace cpmu::cli
