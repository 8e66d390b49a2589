// One libpci scan of a sysfs tree, made safe for a library: libpci's fatal
// errors come back as cpmu::Error instead of ending the process, and its
// warnings end up in that error instead of on stderr. libpci is called only
// while the session is opened (and closed), on the opening thread.
//
// A session scans once, when it is opened; open a new one to see a changed bus.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpmu/pci_address.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/result.hpp"

struct pci_access;
struct pci_dev;

namespace cpmu::detail {

class LibpciAccess {
 public:
  // libpci's linux-sysfs method over the tree at sysfs_root (its sysfs.path).
  static Result<std::unique_ptr<LibpciAccess>> open_sysfs(const std::string& sysfs_root);

  ~LibpciAccess();
  LibpciAccess(const LibpciAccess&) = delete;
  LibpciAccess& operator=(const LibpciAccess&) = delete;

  // Every function found by the scan, in libpci's order, with IDs, class,
  // revision, header type and BARs. driver and sysfs_path are left empty:
  // they are sysfs matters, for the backend.
  const std::vector<PciFunctionInfo>& functions() const { return functions_; }

 private:
  // A step runs with libpci's errors trapped. A libpci error leaves the step
  // by longjmp, so a step must not own anything with a destructor: it only
  // calls libpci and writes plain data through its context pointer.
  using Step = void (*)(pci_access* access, void* context);

  LibpciAccess();
  Status run(Step step, void* context);
  Result<PciFunctionInfo> describe(pci_dev* dev);

  pci_access* access_ = nullptr;
  std::string source_;    // the sysfs tree, for messages
  Status broken_;         // set once libpci has failed: its state is then unreliable
  std::string warnings_;  // what libpci warned about during the last run()
  std::vector<PciFunctionInfo> functions_;
};

}  // namespace cpmu::detail
