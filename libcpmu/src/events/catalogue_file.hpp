// One catalogue file parsed into typed entries (cpmu-events(5)), before it
// is merged with other files. Every rule that needs only this file is
// checked here; names that refer to other entries are checked when merging.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/events.hpp"
#include "cpmu/result.hpp"

namespace cpmu::detail {

// Each entry keeps where it came from, for errors found while merging.
struct FileEvent {
  EventInfo info;                         // an aggregate's code is computed when merging
  std::string pointer;                    // "/events/3", "/aggregates/0"
  std::vector<std::size_t> member_lines;  // aggregates: line of each member name
};

struct FileGroup {
  GroupInfo info;
  std::string pointer;
};

struct FileMetric {
  MetricInfo info;
  std::string pointer;
  std::size_t formula_line = 0;
};

struct CatalogueFile {
  std::string name;
  std::vector<FileGroup> groups;
  std::vector<FileEvent> events;  // events, then aggregates
  std::vector<FileMetric> metrics;
};

// Errors read "file:line: /json/pointer: problem" (syntax errors
// "file:line:column: ..."); the first error found is returned.
Result<CatalogueFile> parse_catalogue_file(std::string_view text, std::string_view file_name);

}  // namespace cpmu::detail
