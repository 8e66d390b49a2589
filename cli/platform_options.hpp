// The backend options every machine-reading command takes:
// --dump FILE | --sysfs DIR (default: the running machine).
#pragma once

#include <memory>
#include <string>

#include "cpmu/platform.hpp"

namespace CLI {
class App;
}

namespace cpmu::cli {

class PlatformOptions {
 public:
  void add_to(CLI::App& app);
  Result<std::unique_ptr<Platform>> open() const;

 private:
  std::string dump_file_;
  std::string sysfs_root_;
};

}  // namespace cpmu::cli
