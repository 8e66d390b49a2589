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

// Backends, in the pciutils access-method style: a table of names, help lines
// and factories.
struct PlatformOptions {
  std::string backend = "linux";   // "linux", "dump", "sim"
  std::string sysfs_root;          // linux: root of the PCI sysfs tree (default /sys/bus/pci)
  std::string dump_file;           // dump: lspci -xxxx text
};

struct PlatformBackend {
  const char* name;
  const char* help;
  Result<std::unique_ptr<Platform>> (*open)(const PlatformOptions&);
};

// The backends built into libcpmu ("linux", "dump"). The simulator's backend
// lives in cxlsim and is opened through cxlsim's own API.
CPMU_API const std::vector<PlatformBackend>& platform_backends();
CPMU_API Result<std::unique_ptr<Platform>> open_platform(const PlatformOptions& options);

}  // namespace cpmu
