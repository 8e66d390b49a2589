// A read-only view of one PCI function's configuration space as bytes. The
// discovery decoders work on this view, so they run the same over a platform
// backend, a QEMU .config.bin file or a fuzzer's buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "cpmu/export.hpp"

namespace cpmu {

class CPMU_API ConfigSpace {
 public:
  ConfigSpace() = default;
  explicit ConfigSpace(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  // How many bytes could be read: 64, 256 or 4096 normally; anything else is
  // treated as "this much and no more".
  std::size_t size() const { return bytes_.size(); }

  // Little-endian reads; nullopt when [offset, offset + width) is not inside
  // the view. Alignment is not required here: decoders check it themselves
  // because a misaligned pointer is a finding to report, not a crash.
  std::optional<std::uint8_t> read8(std::size_t offset) const;
  std::optional<std::uint16_t> read16(std::size_t offset) const;
  std::optional<std::uint32_t> read32(std::size_t offset) const;

  // A function that is gone (or never answered) reads all ones.
  bool reads_all_ones() const;

 private:
  std::span<const std::uint8_t> bytes_;
};

}  // namespace cpmu
