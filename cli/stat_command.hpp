// `cpmu stat` and `cpmu record` are one run: the same selection, counting and
// signals; record writes every interval's snapshot to a recording instead of
// printing counts.
#pragma once

#include "command.hpp"

namespace cpmu::cli {

Runner setup_stat_command(CLI::App& app, bool record);  // cmd_stat.cpp

}  // namespace cpmu::cli
