// Taking ownership of a CPMU's registers: the exclusive side of the advisory
// lock scheme in ownership.hpp. Whoever programs a CPMU holds its lock for as
// long as it does; the lock goes with the process (flock), so a crashed owner
// never leaves a stale lock behind.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/pci_address.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

class CPMU_API CpmuLock {
 public:
  // Fails with kBusy naming the holder's pid and lock file when another open
  // file (this process included) holds the lock in any of `directories`.
  // Otherwise locks the file in the first directory it can create it in
  // (making the directory if needed) and writes this process's pid into it;
  // kPermissionDenied (or kIo) naming every directory tried if none works.
  static Result<CpmuLock> acquire(const std::vector<std::string>& directories, const PciAddress& function,
                                  unsigned instance);

  CpmuLock(CpmuLock&& other) noexcept;
  CpmuLock& operator=(CpmuLock&& other) noexcept;
  CpmuLock(const CpmuLock&) = delete;
  CpmuLock& operator=(const CpmuLock&) = delete;
  ~CpmuLock();   // releases the lock

  const std::string& path() const { return path_; }

 private:
  CpmuLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void release();

  int fd_ = -1;
  std::string path_;
};

}  // namespace cpmu
