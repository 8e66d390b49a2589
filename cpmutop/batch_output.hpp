// -b: plain text frames, as `top -b` prints them (a status line, the
// totals, the table, the alerts), or with --json one snapshot document per
// frame, exactly the snapshot the frame was built from.
#pragma once

#include <cstdio>
#include <string>

#include "cpmu/snapshot.hpp"
#include "frame_model.hpp"
#include "settings.hpp"

namespace cpmu::top {

std::string batch_text(const Frame& frame, const Settings& settings);
// Alerts as "ALERT <row>: <expr> (<value>)" lines, for --json runs (to stderr).
std::string alert_lines(const Frame& frame);

}  // namespace cpmu::top
