#include "settings.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cpmu/selector.hpp"

namespace cpmu::top {

namespace {

constexpr std::array kKinds = {ComponentKind::kRootPort, ComponentKind::kSwitchUpstreamPort,
                               ComponentKind::kSwitchDownstreamPort, ComponentKind::kEndpoint};

// Rc text is a few hundred bytes; a bigger file is not an rc file.
constexpr std::size_t kMaxRcBytes = 64 * 1024;

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    std::string item = trim(text.substr(at, comma - at));
    if (!item.empty()) out.push_back(std::move(item));
    at = comma + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "1" || text == "yes" || text == "true" || text == "on") return true;
  if (text == "0" || text == "no" || text == "false" || text == "off") return false;
  return std::nullopt;
}

}  // namespace

std::string_view column_name(Column column) {
  switch (column) {
    case Column::kName: return "name";
    case Column::kRead: return "read";
    case Column::kWrite: return "write";
    case Column::kRequests: return "requests";
    case Column::kUtil: return "util";
    case Column::kEvents: return "events";
    case Column::kFlags: return "flags";
  }
  return "name";
}

std::string_view column_title(Column column) {
  switch (column) {
    case Column::kName: return "COMPONENT";
    case Column::kRead: return "READ/s";
    case Column::kWrite: return "WRITE/s";
    case Column::kRequests: return "REQ/s";
    case Column::kUtil: return "UTIL%";
    case Column::kEvents: return "EVENTS";
    case Column::kFlags: return "FLAGS";
  }
  return "";
}

std::optional<Column> parse_column(std::string_view name) {
  for (Column c : kAllColumns) {
    if (column_name(c) == name) return c;
  }
  return std::nullopt;
}

std::string_view byte_units_name(ByteUnits units) {
  switch (units) {
    case ByteUnits::kAuto: return "auto";
    case ByteUnits::kBytes: return "B/s";
    case ByteUnits::kKilo: return "KB/s";
    case ByteUnits::kMega: return "MB/s";
    case ByteUnits::kGiga: return "GB/s";
  }
  return "auto";
}

const std::vector<std::string>& default_events() {
  static const std::vector<std::string> events{"s2m_drs_memdata", "m2s_rwd_memwr_all", "m2s_req_all"};
  return events;
}

std::string rc_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/cpmu/cpmutoprc";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.config/cpmu/cpmutoprc";
}

Result<Settings> parse_rc_text(std::string_view text, const Settings& defaults, const std::string& name) {
  Settings s = defaults;
  std::size_t number = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    const std::string line = trim(text.substr(at, end - at));
    at = end + 1;
    ++number;
    if (line.empty() || line[0] == '#') continue;
    const auto bad = [&](const std::string& problem) {
      return Error(Errc::kMalformed, fmt::format("{}:{}: {}; the file is ignored", name, number, problem));
    };
    const auto eq = line.find('=');
    if (eq == std::string::npos) return bad(fmt::format("expected key=value, found '{}'", line.substr(0, 40)));
    const std::string key = trim(std::string_view(line).substr(0, eq));
    const std::string value = trim(std::string_view(line).substr(eq + 1));
    if (key == "columns") {
      s.columns.clear();
      for (const std::string& item : split_list(value)) {
        const auto c = parse_column(item);
        if (!c || *c == Column::kName) return bad(fmt::format("unknown column '{}'", item.substr(0, 40)));
        s.columns.push_back(*c);
      }
    } else if (key == "sort") {
      const auto c = parse_column(value);
      if (!c) return bad(fmt::format("unknown sort column '{}'", value.substr(0, 40)));
      s.sort = *c;
    } else if (key == "invert" || key == "tree" || key == "color") {
      const auto b = parse_bool(value);
      if (!b) return bad(fmt::format("{} must be 0 or 1, not '{}'", key, value.substr(0, 40)));
      (key == "invert" ? s.invert : key == "tree" ? s.tree : s.color) = *b;
    } else if (key == "units") {
      bool found = false;
      for (ByteUnits u : kAllByteUnits) {
        if (byte_units_name(u) == value) s.units = u, found = true;
      }
      if (!found) return bad(fmt::format("unknown units '{}' (auto, B/s, KB/s, MB/s, GB/s)", value.substr(0, 40)));
    } else if (key == "delay") {
      char* end_ptr = nullptr;
      errno = 0;
      const unsigned long d = std::strtoul(value.c_str(), &end_ptr, 10);
      if (value.empty() || *end_ptr != '\0' || errno != 0 || d < 1 || d > 36000) {
        return bad(fmt::format("delay must be 1..36000 tenths of a second, not '{}'", value.substr(0, 40)));
      }
      s.delay_tenths = static_cast<unsigned>(d);
    } else if (key.rfind("events.", 0) == 0) {
      const std::string what = key.substr(7);
      if (const auto kind = parse_component_kind(what)) {
        s.events[*kind] = split_list(value);
      } else if (what.find('/') != std::string::npos) {
        s.cpmu_events[what] = split_list(value);
      } else {
        return bad(fmt::format("unknown component kind '{}'", what.substr(0, 40)));
      }
    } else {
      return bad(fmt::format("unknown key '{}'", key.substr(0, 40)));
    }
  }
  return s;
}

Result<Settings> read_rc_file(const std::string& path, const Settings& defaults) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return defaults;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(Errc::kIo, fmt::format("{}: cannot read: {}; the file is ignored", path, std::strerror(errno)));
  std::string text(kMaxRcBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxRcBytes) {
    return Error(Errc::kMalformed,
                 fmt::format("{}: over {} bytes, not an rc file; the file is ignored", path, kMaxRcBytes));
  }
  if (text.find('\0') != std::string::npos) {
    return Error(Errc::kMalformed, fmt::format("{}: binary data, not an rc file; the file is ignored", path));
  }
  return parse_rc_text(text, defaults, path);
}

std::string format_rc(const Settings& s) {
  std::string out = "# cpmutop setup (F2 in cpmutop writes it; see cpmutop(1), RC FILE)\n";
  std::vector<std::string> columns;
  for (Column c : s.columns) columns.emplace_back(column_name(c));
  out += fmt::format("columns={}\nsort={}\ninvert={}\ntree={}\nunits={}\ncolor={}\ndelay={}\n", join(columns),
                     column_name(s.sort), s.invert ? 1 : 0, s.tree ? 1 : 0, byte_units_name(s.units), s.color ? 1 : 0,
                     s.delay_tenths);
  for (ComponentKind kind : kKinds) {
    if (auto it = s.events.find(kind); it != s.events.end()) {
      out += fmt::format("events.{}={}\n", component_kind_name(kind), join(it->second));
    }
  }
  for (const auto& [cpmu, events] : s.cpmu_events) out += fmt::format("events.{}={}\n", cpmu, join(events));
  return out;
}

Status write_rc_file(const std::string& path, const Settings& settings) {
  std::error_code ec;
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  const std::string temporary = path + ".new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << format_rc(settings);
    if (!out.flush()) return Error(Errc::kIo, fmt::format("{}: cannot write: {}", temporary, std::strerror(errno)));
  }
  std::filesystem::rename(temporary, target, ec);
  if (ec) return Error(Errc::kIo, fmt::format("{}: cannot write: {}", path, ec.message()));
  return {};
}

}  // namespace cpmu::top
