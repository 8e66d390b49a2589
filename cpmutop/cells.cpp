#include "cells.hpp"

#include <fmt/format.h>

#include <ctime>

#include "cpmu/value_text.hpp"

namespace cpmu::top {

namespace {

// si_scaled() writes "12.346 M"; a table cell has no room for the space.
std::string compact_si(double value) {
  std::string text = si_scaled(value, 1);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (const auto space = text.rfind(' '); space != std::string::npos) text.erase(space, 1);
  return text;
}

}  // namespace

std::size_t display_width(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xc0) != 0x80;
  return n;
}

std::string byte_rate_text(std::optional<double> v, ByteUnits units) {
  if (!v) return "-";
  switch (units) {
    case ByteUnits::kAuto: return compact_si(*v);
    case ByteUnits::kBytes: return fmt::format("{:.0f}", *v);
    case ByteUnits::kKilo: return fmt::format("{:.1f}", *v / 1e3);
    case ByteUnits::kMega: return fmt::format("{:.1f}", *v / 1e6);
    case ByteUnits::kGiga: return fmt::format("{:.2f}", *v / 1e9);
  }
  return "-";
}

std::string rate_text(std::optional<double> v) { return v ? compact_si(*v) : "-"; }

std::string cell_text(const Row& row, Column column, ByteUnits units) {
  switch (column) {
    case Column::kName: return row.prefix + (row.collapsed ? "+" : "") + row.label;
    case Column::kRead: return byte_rate_text(row.read, units);
    case Column::kWrite: return byte_rate_text(row.write, units);
    case Column::kRequests: return rate_text(row.requests);
    case Column::kUtil: return row.util ? fmt::format("{:.1f}", *row.util * 100) : "-";
    case Column::kEvents: return row.events;
    case Column::kFlags: return row.flags;
  }
  return "";
}

int column_width(Column column) {
  switch (column) {
    case Column::kName: return 0;
    case Column::kRead:
    case Column::kWrite: return 9;
    case Column::kRequests: return 8;
    case Column::kUtil: return 6;
    case Column::kEvents: return 24;
    case Column::kFlags: return 5;
  }
  return 0;
}

std::string totals_text(const Frame& f) {
  const auto bytes = [](std::optional<double> v) { return v ? si_scaled(*v, 1) + "B/s" : std::string("-"); };
  return fmt::format("CXL.mem read {}  write {}  requests {}", bytes(f.read), bytes(f.write),
                     f.requests ? si_scaled(*f.requests, 1) + "/s" : std::string("-"));
}

std::string status_text(const Frame& f) {
  const std::time_t wall = static_cast<std::time_t>(f.wall_time_ns / 1'000'000'000);
  std::tm local{};
  localtime_r(&wall, &local);
  return fmt::format("{} {:02}:{:02}:{:02} seq {} up {:.1f}s every {:.1f}s  {} components {} CPMUs ({} counting)",
                     f.source, local.tm_hour, local.tm_min, local.tm_sec, f.sequence,
                     static_cast<double>(f.elapsed_ns) / 1e9, static_cast<double>(f.interval_ns) / 1e9, f.components,
                     f.cpmus, f.counting);
}

}  // namespace cpmu::top
