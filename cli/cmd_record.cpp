// cpmu record: `cpmu stat` whose output is a recording (cpmu/recording.hpp):
// a header line, then one snapshot per interval and the final totals. With
// no -e it records the bandwidth events on every CPMU that can count them.
#include "stat_command.hpp"

namespace cpmu::cli {

Runner setup_record(CLI::App& app) { return setup_stat_command(app, true); }

}  // namespace cpmu::cli
