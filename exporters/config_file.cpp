#include "config_file.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cpmu::exporter {

namespace {
constexpr std::uintmax_t kMaxFileBytes = 1 << 20;
}

Result<std::string> read_config_file(const std::string& path, std::string_view what) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error(Errc::kNotFound, fmt::format("{}: cannot read {}: {}", path, what, ec.message()));
  if (size > kMaxFileBytes)
    return Error(Errc::kInvalidArgument, fmt::format("{}: {} is larger than 1 MiB", path, what));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(Errc::kNotFound, fmt::format("{}: cannot open {}", path, what));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cpmu::exporter
