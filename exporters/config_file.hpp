// Reading a configuration file whole, bounded: the collection file and the
// web configuration are small, so anything over 1 MiB is refused rather than
// read into memory.
#pragma once

#include <string>
#include <string_view>

#include "cpmu/result.hpp"

namespace cpmu::exporter {

// `what` names the file's role in errors: "the collection file".
Result<std::string> read_config_file(const std::string& path, std::string_view what);

}  // namespace cpmu::exporter
