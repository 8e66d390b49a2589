// What a user sets up in cpmutop (F2 Setup) and keeps between runs in the rc
// file: columns, sort, tree or flat, units, colour, interval and the events
// counted per component kind. The rc file is "key=value" lines, '#' starts a
// comment; a file that does not read cleanly is reported and ignored whole,
// never fatal, so one bad line cannot leave a half-applied setup.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/component_kind.hpp"
#include "cpmu/result.hpp"

namespace cpmu::top {

// The table's columns; kName is always shown, first.
enum class Column { kName, kRead, kWrite, kRequests, kUtil, kEvents, kFlags };
inline constexpr std::array kAllColumns = {Column::kName, Column::kRead,   Column::kWrite, Column::kRequests,
                                           Column::kUtil, Column::kEvents, Column::kFlags};
std::string_view column_name(Column column);   // "read": rc file, --alert, sort
std::string_view column_title(Column column);  // "READ/s": the table header
std::optional<Column> parse_column(std::string_view name);

// How byte rates are shown: scaled to fit (auto) or in one fixed unit.
enum class ByteUnits { kAuto, kBytes, kKilo, kMega, kGiga };
inline constexpr std::array kAllByteUnits = {ByteUnits::kAuto, ByteUnits::kBytes, ByteUnits::kKilo, ByteUnits::kMega,
                                             ByteUnits::kGiga};
std::string_view byte_units_name(ByteUnits units);  // "auto", "B/s", "KB/s", "MB/s", "GB/s"

struct Settings {
  std::vector<Column> columns{Column::kRead, Column::kWrite,  Column::kRequests,
                              Column::kUtil, Column::kEvents, Column::kFlags};
  Column sort = Column::kName;
  bool invert = false;
  bool tree = true;
  ByteUnits units = ByteUnits::kAuto;
  bool color = true;
  unsigned delay_tenths = 10;  // -d: between frames, tenths of a second
  // Events counted on each CPMU of a kind ("endpoint" ... as selectors spell
  // kinds); a kind without an entry counts the defaults. Only the events a
  // CPMU can count are asked of it.
  std::map<ComponentKind, std::vector<std::string>> events;
  // Per CPMU ("0000:0d:00.0/0"), chosen in its detail view; wins over the kind's.
  std::map<std::string, std::vector<std::string>> cpmu_events;
  bool operator==(const Settings&) const = default;
};

// The events every CPMU counts unless set up otherwise: read data, writes
// and requests without data (what the READ, WRITE and REQ/s columns show).
const std::vector<std::string>& default_events();

// $XDG_CONFIG_HOME/cpmu/cpmutoprc, or ~/.config/cpmu/cpmutoprc.
std::string rc_path();

// Reads an rc file over `defaults`. A missing file gives the defaults; an
// unreadable or corrupt one an error naming the file and line (the caller
// reports it and goes on with the defaults).
Result<Settings> read_rc_file(const std::string& path, const Settings& defaults);
Result<Settings> parse_rc_text(std::string_view text, const Settings& defaults, const std::string& name);
std::string format_rc(const Settings& settings);
// Writes atomically (a temporary file renamed over it), creating the directory.
Status write_rc_file(const std::string& path, const Settings& settings);

}  // namespace cpmu::top
