// The backend options every machine-reading command takes:
// --sim [FILE] | --dump FILE | --sysfs DIR (default: the running machine).
#pragma once

#include <memory>
#include <string>

#include "cpmu/platform.hpp"

namespace CLI {
class App;
class Option;
}

namespace cpmu::cli {

class PlatformOptions {
 public:
  void add_to(CLI::App& app);
  Result<std::unique_ptr<Platform>> open() const;

 private:
  std::string sim_file_;
  std::string dump_file_;
  std::string sysfs_root_;
  CLI::Option* sim_ = nullptr;
};

}  // namespace cpmu::cli
