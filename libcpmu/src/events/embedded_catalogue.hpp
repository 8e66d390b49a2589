// The catalogue files compiled into libcpmu (generated from events/ by the
// build; see events/CMakeLists.txt), and where `make install` puts them.
#pragma once

#include <span>
#include <string_view>

namespace cpmu::detail {

struct EmbeddedEventFile {
  std::string_view path;  // relative to events/, e.g. "cxl/standard.json"
  std::string_view text;
};

std::span<const EmbeddedEventFile> embedded_event_files();

// ${CMAKE_INSTALL_FULL_DATADIR}/cpmu/events of the build that made this library.
std::string_view installed_events_dir();

}  // namespace cpmu::detail
