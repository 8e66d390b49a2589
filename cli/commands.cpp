// The table of cpmu subcommands, in the order --help lists them.
#include "command.hpp"

namespace cpmu::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
  };
  return table;
}

}  // namespace cpmu::cli
