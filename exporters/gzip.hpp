// gzip (RFC 1952) with zlib, for /metrics responses a client accepts it for.
#pragma once

#include <string>
#include <string_view>

#include "cpmu/result.hpp"

namespace cpmu::exporter {

Result<std::string> gzip_compress(std::string_view data);

}  // namespace cpmu::exporter
