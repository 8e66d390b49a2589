// The interactive screen: htop's keys, mouse, resize, pause, setup saved
// to the rc file, the detail view and live event choice.
#pragma once

#include <string>

#include "cpmu/recording.hpp"
#include "feed.hpp"
#include "options.hpp"
#include "settings.hpp"

namespace cpmu::top {

// Runs until q/F10, -n frames, the end of a replay or a terminating signal;
// returns the exit status. `notice` is shown on the status line first (a
// corrupt rc file).
int run_tui(Feed& feed, Settings& settings, const Options& options, RecordingWriter* recording,
            const std::string& rc_path, const std::string& notice);

}  // namespace cpmu::top
