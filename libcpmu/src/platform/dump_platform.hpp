// Config space from an lspci -x/-xxx/-xxxx text dump. Read-only, and config
// space only: a dump has no BAR contents, sizes, drivers or interrupts.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/platform.hpp"
#include "platform/dump_parser.hpp"

namespace cpmu::detail {

class DumpPlatform final : public Platform {
 public:
  // Reads options.dump_file.
  static Result<std::unique_ptr<Platform>> open(const PlatformSource& options);
  // The dump held in `text`; `path` names it in messages.
  static Result<std::unique_ptr<Platform>> from_text(const std::string& path, std::string_view text);

  std::string name() const override { return "dump"; }
  Result<std::vector<PciFunctionInfo>> enumerate() override;
  Result<std::vector<std::uint8_t>> read_config(const PciAddress& address, bool allow_partial) override;
  Result<std::uint32_t> config_read32(const PciAddress& address, unsigned offset) override;
  Status config_write32(const PciAddress& address, unsigned offset, std::uint32_t value) override;
  Result<std::unique_ptr<Mmio>> map_bar(const PciAddress& address, unsigned bar, std::uint64_t offset,
                                        std::uint64_t size) override;
  Result<std::unique_ptr<InterruptSource>> interrupt(const PciAddress& address, unsigned vector) override;
  std::vector<Error> problems() const override { return dump_.problems; }

 private:
  DumpPlatform() = default;
  Result<const DumpedFunction*> find(const PciAddress& address) const;

  std::string file_;
  ParsedDump dump_;
  std::vector<PciFunctionInfo> functions_;  // sorted by address
};

}  // namespace cpmu::detail
