#include "batch_output.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cells.hpp"

namespace cpmu::top {

std::string batch_text(const Frame& frame, const Settings& settings) {
  std::string out = fmt::format("cpmutop - {}\n{}\n", status_text(frame), totals_text(frame));
  std::size_t name_width = std::string_view(column_title(Column::kName)).size();
  for (const Row& r : frame.rows)
    name_width = std::max(name_width, display_width(cell_text(r, Column::kName, settings.units)));
  out += fmt::format("{:<{}}", column_title(Column::kName), name_width);
  for (Column c : settings.columns) out += fmt::format(" {:>{}}", column_title(c), column_width(c));
  out += "\n";
  for (const Row& r : frame.rows) {
    const std::string name = cell_text(r, Column::kName, settings.units);
    out += name + std::string(name_width - std::min(name_width, display_width(name)), ' ');
    for (Column c : settings.columns) {
      const std::string cell = cell_text(r, c, settings.units);
      out += c == Column::kEvents || c == Column::kFlags ? fmt::format(" {:<{}}", cell, column_width(c))
                                                         : fmt::format(" {:>{}}", cell, column_width(c));
    }
    if (!r.note.empty() && r.type == RowType::kCpmu && r.flags.find('!') == std::string::npos)
      out += "  (" + r.note + ")";
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  for (const std::string& line : frame.conservation) out += "CONSERVATION " + line + "\n";
  out += alert_lines(frame);
  for (const Row& r : frame.rows) {
    if (r.type == RowType::kCpmu && r.flags.find('!') != std::string::npos)
      out += "DEVICE " + r.id + ": " + r.note + "\n";
  }
  return out + "\n";
}

std::string alert_lines(const Frame& frame) {
  std::string out;
  for (const std::string& a : frame.alerts) out += "ALERT " + a + "\n";
  return out;
}

}  // namespace cpmu::top
