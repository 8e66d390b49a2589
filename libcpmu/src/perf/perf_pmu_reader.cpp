// read_perf_pmu(): one PMU directory of /sys/bus/event_source/devices.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

#include "cpmu/perf_pmu.hpp"

namespace cpmu {

namespace fs = std::filesystem;

namespace {

// sysfs attributes are at most a page; anything longer is not one.
constexpr std::size_t kMaxFileBytes = 4096;
// More entries than any PMU has (Intel's cpu PMU has a few dozen formats;
// cxl_pmu at most ~120 events): bounds what a corrupt tree can make us hold.
constexpr std::size_t kMaxEntries = 4096;

Result<std::string> read_small_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(Errc::kNotFound, fmt::format("{}: cannot be read", path.string()));
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) {
    return Error(Errc::kMalformed,
                 fmt::format("{}: longer than {} bytes: not a sysfs attribute", path.string(), kMaxFileBytes));
  }
  return text;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

Error in_file(const fs::path& path, const Error& error) {
  return Error(error.code() == Errc::kNotFound ? Errc::kNotFound : Errc::kMalformed,
               error.message().rfind(path.string(), 0) == 0 ? error.message()
                                                            : fmt::format("{}: {}", path.string(), error.message()));
}

// Sorted directory entry names; a missing directory has none.
Result<std::vector<std::string>> entries(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (names.size() >= kMaxEntries) {
      return Error(Errc::kMalformed, fmt::format("{}: more than {} entries", dir.string(), kMaxEntries));
    }
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool is_alias_attribute(std::string_view name) {
  for (std::string_view suffix : {".scale", ".unit", ".per-pkg", ".snapshot"}) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) return true;
  }
  return false;
}

Result<std::uint32_t> read_type(const fs::path& dir) {
  const fs::path path = dir / "type";
  auto text = read_small_file(path);
  if (!text) return text.error();
  const std::string_view body = trimmed(*text);
  std::uint32_t type = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), type);
  if (body.empty() || ec != std::errc() || end != body.data() + body.size()) {
    return Error(Errc::kMalformed, fmt::format("{}: position 1: '{}' is not a PMU type number", path.string(), body));
  }
  return type;
}

Result<std::vector<unsigned>> read_cpus(const fs::path& dir, const PerfPmuReadOptions& options) {
  std::error_code ec;
  fs::path path = dir / "cpumask";
  if (!fs::exists(path, ec)) path = dir / "cpus";
  if (!fs::exists(path, ec)) return std::vector<unsigned>{};
  auto text = read_small_file(path);
  if (!text) return text.error();
  auto cpus = parse_cpu_list(*text);
  if (!cpus) return in_file(path, cpus.error());
  if (cpus->empty() || options.online_cpus.empty()) return cpus;
  auto online_text = read_small_file(options.online_cpus);
  if (!online_text) return online_text.error();
  auto online = parse_cpu_list(*online_text);
  if (!online) return in_file(options.online_cpus, online.error());
  for (unsigned cpu : *cpus) {
    if (!std::binary_search(online->begin(), online->end(), cpu)) {
      return Error(Errc::kMalformed, fmt::format("{}: names CPU {}, which is offline (online: {})", path.string(), cpu,
                                                 trimmed(*online_text)));
    }
  }
  return cpus;
}

Result<std::vector<PerfFormatField>> read_formats(const fs::path& dir) {
  auto names = entries(dir / "format");
  if (!names) return names.error();
  std::vector<PerfFormatField> formats;
  for (const std::string& name : *names) {
    const fs::path path = dir / "format" / name;
    auto text = read_small_file(path);
    if (!text) return text.error();
    auto field = parse_perf_format(name, *text);
    if (!field) return in_file(path, field.error());
    formats.push_back(std::move(*field));
  }
  return formats;
}

Result<double> read_scale(const fs::path& path) {
  auto text = read_small_file(path);
  if (!text) return text.error();
  const std::string_view body = trimmed(*text);
  double scale = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), scale);
  if (body.empty() || ec != std::errc() || end != body.data() + body.size() || !(scale > 0)) {
    return Error(Errc::kMalformed,
                 fmt::format("{}: position 1: '{}' is not a positive scale factor", path.string(), body));
  }
  return scale;
}

Result<std::vector<PerfEventAlias>> read_events(const fs::path& dir, const PerfPmu& pmu) {
  auto names = entries(dir / "events");
  if (!names) return names.error();
  std::vector<PerfEventAlias> events;
  for (const std::string& name : *names) {
    // name.scale, name.unit, name.per-pkg, name.snapshot belong to `name`.
    if (is_alias_attribute(name)) continue;
    const fs::path path = dir / "events" / name;
    auto text = read_small_file(path);
    if (!text) return text.error();
    PerfEventAlias alias;
    alias.name = name;
    alias.text = std::string(trimmed(*text));
    auto terms = parse_perf_terms(*text);
    if (!terms) return in_file(path, terms.error());
    if (terms->empty()) return Error(Errc::kMalformed, fmt::format("{}: empty: an alias needs terms", path.string()));
    alias.terms = std::move(*terms);
    // Every term must be the PMU's own; a placeholder is the user's to fill.
    std::vector<PerfTerm> check = alias.terms;
    for (PerfTerm& t : check) {
      if (t.placeholder) {
        t.placeholder = false;
        t.value = 0;
      }
    }
    if (auto encoded = pmu.encode(check, ""); !encoded) return in_file(path, encoded.error());
    std::error_code ec;
    if (fs::exists(dir / "events" / (name + ".scale"), ec)) {
      auto scale = read_scale(dir / "events" / (name + ".scale"));
      if (!scale) return scale.error();
      alias.scale = *scale;
    }
    if (fs::exists(dir / "events" / (name + ".unit"), ec)) {
      auto unit = read_small_file(dir / "events" / (name + ".unit"));
      if (!unit) return unit.error();
      alias.unit = std::string(trimmed(*unit));
    }
    events.push_back(std::move(alias));
  }
  return events;
}

}  // namespace

Result<PerfPmu> read_perf_pmu(const std::string& directory, const PerfPmuReadOptions& options) {
  const fs::path dir(directory);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error(Errc::kNotFound, fmt::format("{}: no such PMU (no directory)", directory));
  }
  PerfPmu pmu;
  pmu.directory = directory;
  pmu.name = dir.filename().string();
  if (pmu.name.empty()) pmu.name = dir.parent_path().filename().string();
  auto type = read_type(dir);
  if (!type) return type.error();
  pmu.type = *type;
  auto cpus = read_cpus(dir, options);
  if (!cpus) return cpus.error();
  pmu.cpus = std::move(*cpus);
  auto formats = read_formats(dir);
  if (!formats) return formats.error();
  pmu.formats = std::move(*formats);
  auto events = read_events(dir, pmu);
  if (!events) return events.error();
  pmu.events = std::move(*events);
  return pmu;
}

std::vector<std::string> list_perf_pmus(const std::string& event_source_root) {
  auto names = entries(fs::path(event_source_root) / "devices");
  return names ? *names : std::vector<std::string>{};
}

}  // namespace cpmu
