// Bit-field helper for register layouts: one Field per named field, written
// as hi:lo exactly as the facts sheet and the specs print them.
#pragma once

#include <cstdint>

namespace cpmu::regs {

struct Field {
  unsigned lo;
  unsigned width;

  constexpr std::uint64_t max() const { return width >= 64 ? ~0ULL : (1ULL << width) - 1; }
  constexpr std::uint64_t mask() const { return max() << lo; }
  constexpr std::uint64_t get(std::uint64_t reg) const { return (reg >> lo) & max(); }
  // The register value with this field replaced by `value` (truncated to the field).
  constexpr std::uint64_t set(std::uint64_t reg, std::uint64_t value) const {
    return (reg & ~mask()) | ((value & max()) << lo);
  }
  // The field alone, placed: same as set(0, value).
  constexpr std::uint64_t make(std::uint64_t value) const { return (value & max()) << lo; }
};

// Bits hi..lo inclusive.
constexpr Field bits(unsigned hi, unsigned lo) { return Field{lo, hi - lo + 1}; }
constexpr Field bit(unsigned n) { return Field{n, 1}; }

static_assert(bits(15, 8).mask() == 0xff00);
static_assert(bits(63, 0).mask() == ~0ULL);
static_assert(bit(31).make(1) == 0x80000000ULL);

}  // namespace cpmu::regs
