// The command `cpmu stat -- COMMAND ...` runs while counting.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "cpmu/result.hpp"

namespace cpmu::cli {

class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH) with default signal handling and an
  // empty signal mask, whatever the caller blocks. Fails (kNotFound,
  // kPermissionDenied, kIo) when it cannot be started.
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv);

  pid_t pid() const { return pid_; }
  // The exit status as a shell reports it (the code, or 128 + the signal
  // that ended it) once the child has ended; never blocks.
  std::optional<int> exit_status();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::optional<int> status_;
};

}  // namespace cpmu::cli
