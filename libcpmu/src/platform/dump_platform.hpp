// Config space from an lspci -x/-xxx/-xxxx text dump, through libpci's dump
// method. Read-only, and config space only: a dump has no BARs, sizes,
// drivers or interrupts.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/platform.hpp"
#include "platform/libpci_access.hpp"

namespace cpmu::detail {

// Where each function of a dump starts and how many config bytes it holds.
struct DumpedFunction {
  unsigned line = 0;   // of the device header
  unsigned bytes = 0;  // rows * 16
};
using DumpIndex = std::map<PciAddress, DumpedFunction>;

// Checks the text line by line, as strictly as lspci writes it, so that a bad
// dump is reported with its line; libpci's own reader skips what it does not
// recognise and names no line. `path` is only for the messages.
Result<DumpIndex> index_dump(const std::string& path, std::string_view text);

class DumpPlatform final : public Platform {
 public:
  // Uses options.dump_file.
  static Result<std::unique_ptr<Platform>> open(const PlatformOptions& options);

  std::string name() const override { return "dump"; }
  Result<std::vector<PciFunctionInfo>> enumerate() override;
  Result<std::vector<std::uint8_t>> read_config(const PciAddress& address, bool allow_partial) override;
  Result<std::uint32_t> config_read32(const PciAddress& address, unsigned offset) override;
  Status config_write32(const PciAddress& address, unsigned offset, std::uint32_t value) override;
  Result<std::unique_ptr<Mmio>> map_bar(const PciAddress& address, unsigned bar, std::uint64_t offset,
                                        std::uint64_t size) override;
  Result<std::unique_ptr<InterruptSource>> interrupt(const PciAddress& address, unsigned vector) override;

 private:
  DumpPlatform() = default;
  Result<DumpedFunction> find(const PciAddress& address) const;

  std::string file_;
  DumpIndex index_;
  std::unique_ptr<LibpciAccess> access_;
  std::vector<PciFunctionInfo> functions_;  // sorted by address
};

}  // namespace cpmu::detail
