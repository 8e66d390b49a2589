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

// ${CMAKE_INSTALL_FULL_DATADIR}/cpmu/events as configured, and that
// directory relative to the library directory and to the program directory
// ("../share/cpmu/events"); installed_events_dir() chooses.
std::string_view configured_events_dir();
std::string_view events_dir_from_library();
std::string_view events_dir_from_program();

}  // namespace cpmu::detail
