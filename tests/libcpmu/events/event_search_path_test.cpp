// Where catalogue files come from: the search path from the environment, and
// loading real directories with their precedence.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "cpmu/events.hpp"
#include "event_printers.hpp"
#include "events/installed_events_dir.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::path(testing::TempDir()) / "cpmu-events-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

  // Writes `text` to `relative`, creating directories.
  fs::path write(const fs::path& relative, std::string_view text) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }

 private:
  fs::path path_;
};

std::string one_event(std::string_view name, unsigned bit) {
  return fmt::format(R"({{"schema_version": 1, "events": [
  {{"name": "{}", "vid": "0x1b36", "gid": "0x7", "bit": {}, "unit": "events", "description": "d"}}]}})",
                     name, bit);
}

EnvLookup env_of(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

std::vector<std::string> paths_of(const EventSearchPath& path) {
  std::vector<std::string> out;
  for (const auto& entry : path.entries) out.push_back(entry.path.string() + (entry.report_missing ? " (named)" : ""));
  return out;
}

TEST(EventSearchPath, GoesInstallDirThenUserDirThenCpmuEventsPathFirstEntryLast) {
  const auto path = event_search_path(env_of(
      {{"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/home/u"}, {"CPMU_EVENTS_PATH", "/first::/second/file.json:"}}));
  EXPECT_TRUE(path.builtin);
  EXPECT_EQ(paths_of(path), (std::vector<std::string>{detail::installed_events_dir().string(),
                                                      "/xdg/cpmu/events", "/second/file.json (named)",
                                                      "/first (named)"}));
}

TEST(EventSearchPath, FallsBackToHomeConfigWhenXdgConfigHomeIsUnsetOrRelative) {
  const std::string install = detail::installed_events_dir().string();
  EXPECT_EQ(paths_of(event_search_path(env_of({{"HOME", "/home/u"}}))),
            (std::vector<std::string>{install, "/home/u/.config/cpmu/events"}));
  EXPECT_EQ(paths_of(event_search_path(env_of({{"HOME", "/home/u"}, {"XDG_CONFIG_HOME", "rel"}}))),
            (std::vector<std::string>{install, "/home/u/.config/cpmu/events"}));
  EXPECT_EQ(paths_of(event_search_path(env_of({}))), (std::vector<std::string>{install}));
}

TEST(LoadEventCatalogue, LaterDirectoriesOverrideEarlierOnesByName) {
  TempDir user, first, second;
  user.write("a.json", one_event("shared_name", 0));
  second.write("b.json", one_event("shared_name", 1));
  first.write("c.json", one_event("shared_name", 2));
  const auto path = event_search_path(env_of({{"XDG_CONFIG_HOME", user.path().string()},
                                              {"CPMU_EVENTS_PATH", fmt::format("{}:{}", first.path().string(),
                                                                               second.path().string())}}));
  const auto load = load_event_catalogue(path);
  EXPECT_TRUE(load.issues.empty()) << load.issues[0].message();
  EXPECT_EQ(load.catalogue.resolve("shared_name"), (EventCode{0x1b36, 0x7, 0x4}));
  EXPECT_TRUE(load.catalogue.resolve("clock_ticks"));  // the built-in level is still there
}

TEST(LoadEventCatalogue, UserDirectoryOverridesTheBuiltInCatalogue) {
  TempDir user;
  user.write("cpmu/events/mine.json", R"({"schema_version": 1, "events": [
  {"name": "clock_ticks", "vid": "0x1e98", "gid": "0x0", "bit": 0, "unit": "cycles", "description": "Mine."}]})");
  const auto load = load_event_catalogue(event_search_path(env_of({{"XDG_CONFIG_HOME", user.path().string()}})));
  EXPECT_TRUE(load.issues.empty());
  EXPECT_EQ(load.catalogue.find_event("clock_ticks")->description, "Mine.");
}

TEST(LoadEventCatalogue, ReadsTheProcessEnvironment) {
  TempDir dir;
  dir.write("env.json", one_event("from_environment", 3));
  const char* old = std::getenv("CPMU_EVENTS_PATH");
  const std::string saved = old ? old : "";
  setenv("CPMU_EVENTS_PATH", dir.path().c_str(), 1);
  const auto load = load_event_catalogue(default_event_search_path());
  old ? setenv("CPMU_EVENTS_PATH", saved.c_str(), 1) : unsetenv("CPMU_EVENTS_PATH");
  EXPECT_EQ(load.catalogue.resolve("from_environment"), (EventCode{0x1b36, 0x7, 0x8}));
}

TEST(LoadEventCatalogue, SearchesSubdirectoriesForJsonFilesOnly) {
  TempDir dir;
  dir.write("vendors/acme/acme.json", one_event("nested", 4));
  dir.write("README.txt", "not an event file");
  dir.write("notes.json.orig", "{");
  const auto load = load_event_catalogue(event_search_path(env_of({{"CPMU_EVENTS_PATH", dir.path().string()}})));
  EXPECT_TRUE(load.issues.empty());
  EXPECT_TRUE(load.catalogue.resolve("nested"));
}

TEST(LoadEventCatalogue, AcceptsASingleFileAsAnEntry) {
  TempDir dir;
  const auto file = dir.write("single.json", one_event("single", 5));
  const auto load = load_event_catalogue(event_search_path(env_of({{"CPMU_EVENTS_PATH", file.string()}})));
  EXPECT_TRUE(load.catalogue.resolve("single"));
}

TEST(LoadEventCatalogue, ReportsAMissingNamedEntryButNotAMissingUserDirectory) {
  TempDir dir;
  const std::string missing = (dir.path() / "absent").string();
  const auto load = load_event_catalogue(event_search_path(
      env_of({{"XDG_CONFIG_HOME", (dir.path() / "no-config").string()}, {"CPMU_EVENTS_PATH", missing}})));
  ASSERT_EQ(load.issues.size(), 1u);
  EXPECT_EQ(load.issues[0].message(), missing + ": no such file or directory");
  EXPECT_EQ(load.issues[0].code(), Errc::kIo);
  EXPECT_TRUE(load.catalogue.resolve("clock_ticks"));
}

TEST(LoadEventCatalogue, AMalformedFileIsNamedAndItsNeighboursStillLoad) {
  TempDir dir;
  const auto bad = dir.write("b_bad.json", "{\"schema_version\": 1,\n \"events\": [\n  {\"name\": 5}]}");
  dir.write("a_good.json", one_event("before", 1));
  dir.write("c_good.json", one_event("after", 2));
  const auto load = load_event_catalogue(event_search_path(env_of({{"CPMU_EVENTS_PATH", dir.path().string()}})));
  ASSERT_EQ(load.issues.size(), 1u);
  EXPECT_EQ(load.issues[0].message(), bad.string() + ":3: /events/0: missing required key 'vid'");
  EXPECT_TRUE(load.catalogue.resolve("before"));
  EXPECT_TRUE(load.catalogue.resolve("after"));
}

TEST(LoadEventCatalogue, ConflictIsAnErrorWithinADirectoryOnly) {
  TempDir one, two;
  one.write("a.json", one_event("clash", 1));
  const auto conflicting = one.write("b.json", one_event("clash", 2));
  two.write("c.json", one_event("clash", 3));
  const auto load = load_event_catalogue(event_search_path(
      env_of({{"CPMU_EVENTS_PATH", fmt::format("{}:{}", two.path().string(), one.path().string())}})));
  ASSERT_EQ(load.issues.size(), 1u);
  EXPECT_EQ(load.issues[0].message(),
            fmt::format("{}:2: /events/0/name: 'clash' is defined differently at {}:2", conflicting.string(),
                        (one.path() / "a.json").string()));
  EXPECT_EQ(load.catalogue.resolve("clash"), (EventCode{0x1b36, 0x7, 0x8}));  // two/ is listed first
}

}  // namespace
}  // namespace cpmu
