// Which BARs a function implements and how large they are, from its config
// space (the register layout) and the platform (the sizes, where known).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "cpmu/config_space.hpp"
#include "cpmu/platform.hpp"

namespace cpmu::detail {

enum class BarSlot { kAbsent, kMemory, kIo, kUpperHalf };

struct BarLayout {
  unsigned count = 0;                            // 6 (type 0), 2 (type 1), 0 otherwise
  std::array<BarSlot, 6> slots{};
  std::array<std::optional<std::uint64_t>, 6> sizes{};   // absent: unknown
};

// A BAR counts as implemented when the platform lists it or its register holds
// an address; dumps have no sizes, so sizes stay unknown there.
BarLayout bar_layout(const ConfigSpace& config, const PciFunctionInfo& info);

}  // namespace cpmu::detail
