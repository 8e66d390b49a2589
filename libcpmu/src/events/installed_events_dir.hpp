// Where the installed catalogue files are, found from where libcpmu lies.
#pragma once

#include <filesystem>

namespace cpmu::detail {

// The event directory of the installation this code was loaded from: next to
// the shared libcpmu (its directory + "../share/cpmu/events" or whatever the
// configured layout makes of it), or, where libcpmu is linked into the
// program statically, next to the program (/proc/self/exe). So a moved
// installation reads its own files, not those of the prefix it was
// configured for, which are used only when neither location can be found.
std::filesystem::path installed_events_dir();

}  // namespace cpmu::detail
