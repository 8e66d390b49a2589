// The platform layer: the one interface through which libcpmu reaches PCI
// configuration space, BAR windows and interrupts. Backends: Linux (libpci and
// sysfs), dump files (lspci -xxxx text) and the simulator (cxlsim).
// No layer above this one knows which backend it runs on.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/pci_address.hpp"
#include "cpmu/pci_function.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

// A mapped BAR window [offset, offset + size). Accesses are relative to the
// window and must be naturally aligned and inside it: a violation is a caller
// bug and returns all ones (reads) or is dropped (writes), never UB.
class CPMU_API Mmio {
 public:
  virtual ~Mmio() = default;
  virtual std::uint64_t size() const = 0;
  virtual std::uint32_t read32(std::uint64_t offset) = 0;
  virtual std::uint64_t read64(std::uint64_t offset) = 0;
  virtual void write32(std::uint64_t offset, std::uint32_t value) = 0;
  virtual void write64(std::uint64_t offset, std::uint64_t value) = 0;
};

// An interrupt for one MSI/MSI-X message number, delivered as a pollable fd:
// readable while at least one interrupt is pending; consume() returns how
// many arrived since the last call and makes the fd unreadable again.
class CPMU_API InterruptSource {
 public:
  virtual ~InterruptSource() = default;
  virtual int fd() const = 0;
  virtual Result<std::uint64_t> consume() = 0;
};

class CPMU_API Platform {
 public:
  virtual ~Platform() = default;

  // The backend's name, as --backend takes it: "linux", "dump", "sim".
  virtual std::string name() const = 0;

  virtual Result<std::vector<PciFunctionInfo>> enumerate() = 0;

  // As much of the function's config space as can be read (64, 256 or 4096
  // bytes). A backend that can only read a cut-down space (e.g. Linux without
  // root) says so with an error rather than returning a short buffer, unless
  // allow_partial is set.
  virtual Result<std::vector<std::uint8_t>> read_config(const PciAddress& address,
                                                        bool allow_partial = false) = 0;
  virtual Result<std::uint32_t> config_read32(const PciAddress& address, unsigned offset) = 0;
  virtual Status config_write32(const PciAddress& address, unsigned offset, std::uint32_t value) = 0;

  virtual Result<std::unique_ptr<Mmio>> map_bar(const PciAddress& address, unsigned bar,
                                                std::uint64_t offset, std::uint64_t size) = 0;

  virtual Result<std::unique_ptr<InterruptSource>> interrupt(const PciAddress& address,
                                                             unsigned vector) = 0;

  // What is wrong with the source as a whole rather than with one function
  // (a dump's lines outside any device), each naming where. Trouble with one
  // function comes from read_config() instead; enumerate() still lists it.
  virtual std::vector<Error> problems() const { return {}; }
};

// Where a machine comes from: a platform backend by name and what that
// backend reads. Each backend uses only its own fields.
struct PlatformSource {
  std::string backend = "linux";   // "linux", "dump", "sim" (see platform_backends())
  std::string sysfs_root;          // linux: root of the PCI sysfs tree (default /sys/bus/pci)
  std::string dump_file;           // dump: lspci -xxxx text
  std::string topology_file;       // sim: a topology JSON file; empty: the built-in machine
  // sim: time stands still until the caller advances it (tests); otherwise
  // it follows the wall clock, as a front end showing the machine live needs.
  bool virtual_time = false;
};

// Backends, in the pciutils access-method style: a table of names, help lines
// and factories.
struct PlatformBackend {
  const char* name;
  const char* help;
  Result<std::unique_ptr<Platform>> (*open)(const PlatformSource&);
  // The running machine (kernel names, kernel drivers and other processes'
  // CPMU locks apply to it), as opposed to a copy or a simulation of one.
  bool live = false;
};

// Every backend: libcpmu's own ("linux", "dump"), then the registered ones
// (cxlsim registers "sim" when it is linked in).
CPMU_API const std::vector<PlatformBackend>& platform_backends();
// Adds a backend to the table; a name already there is replaced. For
// libraries that bring a backend (cxlsim), at static initialisation.
CPMU_API void register_platform_backend(const PlatformBackend& backend);
CPMU_API const PlatformBackend* find_platform_backend(std::string_view name);
CPMU_API Result<std::unique_ptr<Platform>> open_platform(const PlatformSource& source);

}  // namespace cpmu
