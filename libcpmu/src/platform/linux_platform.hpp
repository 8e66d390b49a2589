// The running Linux machine: libpci's sysfs method for enumeration, the sysfs
// config file for config space, resource<N> files for BARs.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cpmu/platform.hpp"

namespace cpmu::detail {

inline constexpr const char* kDefaultSysfsRoot = "/sys/bus/pci";

class LinuxPlatform final : public Platform {
 public:
  // Uses options.sysfs_root, or /sys/bus/pci when it is empty.
  static Result<std::unique_ptr<Platform>> open(const PlatformSource& options);

  std::string name() const override { return "linux"; }
  Result<std::vector<PciFunctionInfo>> enumerate() override;
  Result<std::vector<std::uint8_t>> read_config(const PciAddress& address, bool allow_partial) override;
  Result<std::uint32_t> config_read32(const PciAddress& address, unsigned offset) override;
  Status config_write32(const PciAddress& address, unsigned offset, std::uint32_t value) override;
  Result<std::unique_ptr<Mmio>> map_bar(const PciAddress& address, unsigned bar, std::uint64_t offset,
                                        std::uint64_t size) override;
  Result<std::unique_ptr<InterruptSource>> interrupt(const PciAddress& address, unsigned vector) override;

 private:
  explicit LinuxPlatform(std::string sysfs_root) : root_(std::move(sysfs_root)) {}
  std::string device_dir(const PciAddress& address) const;
  std::string driver_of(const PciAddress& address) const;
  Status check_tree() const;

  std::string root_;
};

}  // namespace cpmu::detail
