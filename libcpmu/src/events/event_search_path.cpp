// Where catalogue files come from, and reading them level by level.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#include "cpmu/events.hpp"
#include "events/embedded_catalogue.hpp"
#include "events/installed_events_dir.hpp"

namespace cpmu {

namespace fs = std::filesystem;

namespace {

// Far above any real catalogue file; keeps a stray huge file from eating memory.
constexpr std::uintmax_t kMaxFileSize = 16 * 1024 * 1024;

std::optional<std::string> non_empty(const EnvLookup& env, std::string_view name) {
  auto value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

Error read_error(const fs::path& path, std::string_view problem) {
  return Error(Errc::kIo, fmt::format("{}: {}", path.string(), problem));
}

void read_file(const fs::path& path, EventFileLevel& level, std::vector<Error>& issues) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    issues.push_back(read_error(path, ec.message()));
    return;
  }
  if (size > kMaxFileSize) {
    issues.push_back(read_error(path, fmt::format("{} bytes is too large for an event file", size)));
    return;
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    issues.push_back(read_error(path, "cannot be read"));
    return;
  }
  level.push_back({path.string(), std::move(text)});
}

// One level: a directory's *.json files (recursively, symlinked directories
// not followed), or a single file.
EventFileLevel read_level(const EventSearchPath::Entry& entry, std::vector<Error>& issues) {
  EventFileLevel level;
  std::error_code ec;
  const auto status = fs::status(entry.path, ec);
  if (status.type() == fs::file_type::not_found) {
    if (entry.report_missing) issues.push_back(read_error(entry.path, "no such file or directory"));
    return level;
  }
  if (ec) {
    issues.push_back(read_error(entry.path, ec.message()));
    return level;
  }
  if (!fs::is_directory(status)) {
    read_file(entry.path, level, issues);
    return level;
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(entry.path, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code file_ec;  // a dangling link is skipped, not the end of the walk
    if (it->path().extension() == ".json" && it->is_regular_file(file_ec)) files.push_back(it->path());
  }
  if (ec) issues.push_back(read_error(entry.path, ec.message()));
  std::sort(files.begin(), files.end());
  for (const auto& file : files) read_file(file, level, issues);
  return level;
}

}  // namespace

EventSearchPath event_search_path(const EnvLookup& env) {
  EventSearchPath path;
  path.entries.push_back({detail::installed_events_dir(), false});
  if (auto config = non_empty(env, "XDG_CONFIG_HOME"); config && fs::path(*config).is_absolute()) {
    path.entries.push_back({fs::path(*config) / "cpmu" / "events", false});
  } else if (auto home = non_empty(env, "HOME")) {
    path.entries.push_back({fs::path(*home) / ".config" / "cpmu" / "events", false});
  }
  if (auto list = non_empty(env, "CPMU_EVENTS_PATH")) {
    std::vector<EventSearchPath::Entry> named;
    std::string_view rest = *list;
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const auto item = rest.substr(0, colon);
      if (!item.empty()) named.push_back({fs::path(item), true});
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
    // Like PATH the first entry wins, so it goes last.
    path.entries.insert(path.entries.end(), named.rbegin(), named.rend());
  }
  return path;
}

EventSearchPath default_event_search_path() {
  return event_search_path([](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
}

CatalogueLoad load_event_catalogue(const EventSearchPath& path) {
  std::vector<EventFileLevel> levels;
  std::vector<Error> read_issues;
  if (path.builtin) {
    EventFileLevel& builtin = levels.emplace_back();
    for (const auto& file : detail::embedded_event_files()) {
      builtin.push_back({"builtin:" + std::string(file.path), std::string(file.text)});
    }
  }
  for (const auto& entry : path.entries) levels.push_back(read_level(entry, read_issues));
  CatalogueLoad load = build_event_catalogue(levels);
  load.issues.insert(load.issues.begin(), read_issues.begin(), read_issues.end());
  return load;
}

}  // namespace cpmu
