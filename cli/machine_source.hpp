// The machine-source options every machine-reading command takes:
// --sim | --topology FILE | --dump FILE | --sysfs DIR (default: the running
// machine), and where the kernel's CXL and perf views are. They become the
// session's options; the session does the rest.
#pragma once

#include <memory>
#include <string>

#include "cpmu/session.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace cpmu::cli {

class MachineSourceOptions {
 public:
  void add_to(CLI::App& app);
  SessionOptions session_options() const;
  Result<std::unique_ptr<Session>> open() const;
  // The platform alone, undiscovered (for a command that only reads config space).
  Result<std::unique_ptr<Platform>> open_platform() const;
  const SysfsRoots& kernel_roots() const { return roots_; }

 private:
  bool sim_ = false;
  std::string topology_file_;
  std::string dump_file_;
  std::string sysfs_root_;
  SysfsRoots roots_;
  bool cxl_given_ = false;           // --cxl-sysfs
  bool event_source_given_ = false;  // --event-source-sysfs
};

}  // namespace cpmu::cli
