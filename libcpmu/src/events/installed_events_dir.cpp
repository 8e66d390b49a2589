#include "events/installed_events_dir.hpp"

#include <dlfcn.h>

#include <optional>
#include <system_error>

#include "events/embedded_catalogue.hpp"

namespace cpmu::detail {

namespace fs = std::filesystem;

namespace {

// The file this function's code came from, when it is a shared object and
// not the program itself (dladdr names the program's map oddly, often "").
std::optional<fs::path> shared_library_file(const fs::path& program) {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<const void*>(&shared_library_file), &info) == 0 || info.dli_fname == nullptr ||
      *info.dli_fname == '\0') {
    return std::nullopt;
  }
  std::error_code ec;
  fs::path file = fs::canonical(info.dli_fname, ec);
  if (ec || file == program) return std::nullopt;
  return file;
}

}  // namespace

fs::path installed_events_dir() {
  std::error_code ec;
  const fs::path program = fs::read_symlink("/proc/self/exe", ec);
  if (auto library = shared_library_file(ec ? fs::path() : program)) {
    return (library->parent_path() / events_dir_from_library()).lexically_normal();
  }
  if (!ec) return (program.parent_path() / events_dir_from_program()).lexically_normal();
  return fs::path(configured_events_dir());
}

}  // namespace cpmu::detail
