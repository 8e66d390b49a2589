// Opening a file of a sysfs tree (or of a fake one given with --sysfs) so
// that nothing there can hang or mislead cpmu: non-blocking, close-on-exec,
// no controlling terminal, and only a regular file, which every sysfs
// attribute is; a FIFO, device or directory in its place is an error naming
// it. Reads are bounded.
#pragma once

#include <cstddef>
#include <string>

#include "cpmu/result.hpp"
#include "util/unique_fd.hpp"

namespace cpmu::detail {

// flags: O_RDONLY or O_RDWR. Fails with the errno of open(2) in `err` (for
// callers that explain EACCES), or kMalformed for a file of another type.
Result<UniqueFd> open_sysfs_file(const std::string& path, int flags, int* err = nullptr);

// Checks that `path` is a regular file without opening it (for files another
// library opens, such as libpci's).
Status check_sysfs_file(const std::string& path);

// A whole attribute as text, at most `limit` bytes (more is an error).
Result<std::string> read_sysfs_text(const std::string& path, std::size_t limit = 4096);

}  // namespace cpmu::detail
