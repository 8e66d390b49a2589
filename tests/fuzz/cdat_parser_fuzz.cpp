// Fuzz target: parse_cdat on arbitrary bytes must return a table or an
// error, never crash or hang. Seeds: QEMU's real tables (corpus/cdat_parser/).
#include <cstddef>
#include <cstdint>
#include <span>

#include "cpmu/cdat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto table = cpmu::parse_cdat(std::span<const std::uint8_t>(data, size));
  if (table) {
    // A table that parses must hold exactly the bytes it was given.
    if (table->raw.size() != size || table->header.length != size) __builtin_trap();
  }
  return 0;
}
