// The text of a frame's cells and header, shared by the batch output and
// the screen so both show the same numbers the same way.
#pragma once

#include <optional>
#include <string>

#include "frame_model.hpp"
#include "settings.hpp"

namespace cpmu::top {

// Cells a string takes on a terminal: every glyph cpmutop draws is one
// cell wide, so the count of UTF-8 lead bytes.
std::size_t display_width(const std::string& text);
// A byte rate in the chosen units: auto "12.3G", fixed "12345.6" (MB/s).
std::string byte_rate_text(std::optional<double> bytes_per_second, ByteUnits units);
// A per-second rate, SI-scaled: "8.0M".
std::string rate_text(std::optional<double> per_second);
std::string cell_text(const Row& row, Column column, ByteUnits units);
// The width a column takes on screen and in batch frames; the name column
// takes what is left.
int column_width(Column column);
// "CXL.mem read 1.2 GB/s  write 456.0 MB/s  requests 12.3 M/s"
std::string totals_text(const Frame& frame);
// "simulated 20:41:02 seq 24 up 12.0s every 0.5s  10 components 11 CPMUs (8 counting)"
std::string status_text(const Frame& frame);

}  // namespace cpmu::top
