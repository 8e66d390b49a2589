#include "cpmu/config_space.hpp"

namespace cpmu {

namespace {

template <typename T>
std::optional<T> read_le(std::span<const std::uint8_t> bytes, std::size_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return std::nullopt;
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    value = static_cast<T>(value | (static_cast<T>(bytes[offset + i]) << (8 * i)));
  }
  return value;
}

}  // namespace

std::optional<std::uint8_t> ConfigSpace::read8(std::size_t offset) const {
  return read_le<std::uint8_t>(bytes_, offset);
}

std::optional<std::uint16_t> ConfigSpace::read16(std::size_t offset) const {
  return read_le<std::uint16_t>(bytes_, offset);
}

std::optional<std::uint32_t> ConfigSpace::read32(std::size_t offset) const {
  return read_le<std::uint32_t>(bytes_, offset);
}

bool ConfigSpace::reads_all_ones() const {
  // Vendor and device ID together: no real function has 0xffff as vendor.
  auto id = read32(0);
  return id && *id == 0xffffffffu;
}

}  // namespace cpmu
