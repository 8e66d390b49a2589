// A window of a PCI BAR mapped from its sysfs resource<N> file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "cpmu/platform.hpp"
#include "cpmu/result.hpp"
#include "platform/kernel_lockdown.hpp"

namespace cpmu::detail {

struct ResourceFile {
  std::string path;    // <sysfs root>/devices/<bdf>/resource<N>
  std::string name;    // for messages: "BAR2 of 0000:0d:00.0"
  std::string driver;  // the bound kernel driver, empty if none
};

class BarMapping final : public Mmio {
 public:
  // Maps [offset, offset + size) of the file. The file's size is the BAR's.
  static Result<std::unique_ptr<Mmio>> map(const ResourceFile& file, std::uint64_t offset,
                                           std::uint64_t size);

  ~BarMapping() override;
  BarMapping(const BarMapping&) = delete;
  BarMapping& operator=(const BarMapping&) = delete;

  std::uint64_t size() const override { return size_; }
  std::uint32_t read32(std::uint64_t offset) override;
  std::uint64_t read64(std::uint64_t offset) override;
  void write32(std::uint64_t offset, std::uint32_t value) override;
  void write64(std::uint64_t offset, std::uint64_t value) override;

 private:
  BarMapping(void* mapping, std::size_t length, std::uint64_t delta, std::uint64_t size);
  bool fits(std::uint64_t offset, unsigned width) const;
  template <typename T>
  volatile T* at(std::uint64_t offset) const;

  void* mapping_;
  std::size_t length_;
  volatile std::uint8_t* window_;  // mapping_ plus the offset's distance from its page
  std::uint64_t size_;
};

// The error for a failed open or mmap of the file (errno `err`). mmap's EINVAL
// on a BAR a driver claimed is CONFIG_IO_STRICT_DEVMEM at work.
Error mapping_error(int err, const ResourceFile& file, LockdownState lockdown);

}  // namespace cpmu::detail
