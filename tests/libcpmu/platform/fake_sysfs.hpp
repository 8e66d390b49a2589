// A fake PCI sysfs tree (what libpci's sysfs.path points at), built from real
// config-space images: devices/<bdf>/{config,vendor,device,class,revision,irq,
// resource[,resource<N>]} and a driver symlink, written as the kernel writes them.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "temp_dir.hpp"

namespace cpmu::testing {

inline std::filesystem::path qemu_dumps() { return std::filesystem::path(CPMU_FIXTURE_DIR) / "qemu-cxl" / "dumps"; }

// Kernel resource flags as sysfs `resource` prints them (IORESOURCE_*). The
// low bits repeat the BAR's own flag bits, as the kernel does.
inline constexpr std::uint64_t kResourceMem = 0x200;
inline constexpr std::uint64_t kResourceMem64 = 0x100000 | kResourceMem | 0x4;
inline constexpr std::uint64_t kResourcePrefetch = 0x2000 | 0x8;

struct FakeBar {
  unsigned index;
  std::uint64_t start;
  std::uint64_t size;
  std::uint64_t flags;
};

class FakeSysfs {
 public:
  explicit FakeSysfs(std::filesystem::path root) : root_(std::move(root)) {
    std::filesystem::create_directories(root_ / "devices");
  }

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path device_dir(std::string_view bdf) const { return root_ / "devices" / bdf; }

  // A function whose identity files agree with its config space.
  void add_function(std::string_view bdf, const std::vector<std::uint8_t>& config, const std::vector<FakeBar>& bars,
                    std::string_view driver = {}) const {
    const auto dir = device_dir(bdf);
    write_file(dir / "config", config);
    write_file(dir / "vendor", fmt::format("0x{:04x}\n", config[0] | config[1] << 8));
    write_file(dir / "device", fmt::format("0x{:04x}\n", config[2] | config[3] << 8));
    write_file(dir / "revision", fmt::format("0x{:02x}\n", config[8]));
    write_file(dir / "class", fmt::format("0x{:06x}\n", config[9] | config[10] << 8 | config[11] << 16));
    write_file(dir / "irq", "0\n");
    std::string resource;
    for (unsigned i = 0; i < 7; ++i) {  // six BARs, then the expansion ROM
      FakeBar line{i, 0, 0, 0};
      for (const FakeBar& bar : bars) {
        if (bar.index == i) line = bar;
      }
      const std::uint64_t end = line.size == 0 ? 0 : line.start + line.size - 1;
      resource += fmt::format("0x{:016x} 0x{:016x} 0x{:016x}\n", line.start, end, line.flags);
    }
    write_file(dir / "resource", resource);
    if (!driver.empty()) {
      const auto driver_dir = root_ / "drivers" / driver;
      std::filesystem::create_directories(driver_dir);
      std::filesystem::create_directory_symlink(driver_dir, dir / "driver");
    }
  }

  // resource<N>: a regular file holding the BAR's bytes, as mmap-able as the real one.
  void add_resource_file(std::string_view bdf, unsigned bar, const std::vector<std::uint8_t>& bytes) const {
    write_file(device_dir(bdf) / fmt::format("resource{}", bar), bytes);
  }

 private:
  std::filesystem::path root_;
};

}  // namespace cpmu::testing
