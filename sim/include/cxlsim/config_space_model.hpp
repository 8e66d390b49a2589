// The 4 KiB PCIe configuration space of one simulated function: bytes with
// per-byte write masks (so BAR sizing and read-only fields behave as on real
// hardware), write-one-to-clear bits, and register-range hooks that hand
// accesses to a device model (the DOE mailbox registers).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "cpmu/regs/pci_config.hpp"
#include "cpmu/result.hpp"

namespace cpmu::sim {

class ConfigSpaceModel {
 public:
  static constexpr unsigned kSize = regs::pci::kConfigSize;

  // Hooks see offsets relative to the hooked range and the same sizes the
  // guest used (1, 2 or 4); they run instead of the byte store.
  using ReadHook = std::function<std::uint32_t(unsigned offset, unsigned size)>;
  using WriteHook = std::function<void(unsigned offset, unsigned size, std::uint32_t value)>;

  ConfigSpaceModel();

  // Guest accesses: 1, 2 or 4 bytes, naturally aligned, inside 4 KiB.
  static Status check_access(unsigned offset, unsigned size);
  Result<std::uint32_t> read(unsigned offset, unsigned size);
  Status write(unsigned offset, unsigned size, std::uint32_t value);

  // Layout, for builders: stores and loads that ignore masks and hooks.
  void store(unsigned offset, unsigned size, std::uint32_t value);
  std::uint32_t load(unsigned offset, unsigned size) const;
  // Bits set in `mask` become guest-writable (or write-one-to-clear).
  void set_writable(unsigned offset, unsigned size, std::uint32_t mask);
  void set_write_one_to_clear(unsigned offset, unsigned size, std::uint32_t mask);

  // [start, start + length) goes to the hooks from now on. Both must be
  // DW-aligned and inside config space, and the range must not overlap an
  // earlier one.
  Status add_hook(unsigned start, unsigned length, ReadHook read, WriteHook write);

 private:
  struct Hook {
    unsigned start, length;
    ReadHook read;
    WriteHook write;
  };

  const Hook* hook_for(unsigned offset) const;

  std::array<std::uint8_t, kSize> bytes_{};
  std::array<std::uint8_t, kSize> writable_{};
  std::array<std::uint8_t, kSize> write_one_to_clear_{};
  std::vector<Hook> hooks_;
};

}  // namespace cpmu::sim
