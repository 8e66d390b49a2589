#include "cxl/register_locator.hpp"

#include <fmt/format.h>

#include "cpmu/regs/cxl_dvsec.hpp"

namespace cpmu {

namespace loc = regs::dvsec::locator;
namespace block_id = regs::dvsec::block_id;

std::string_view register_block_name(unsigned id) {
  switch (id) {
    case block_id::kEmpty: return "empty";
    case block_id::kComponent: return "component";
    case block_id::kBarVirtualization: return "bar-virtualization";
    case block_id::kMemoryDevice: return "memory-device";
    case block_id::kCpmu: return "cpmu";
    // ID 5 only appears in QEMU forks as the CXL Hotness Monitoring Unit; its
    // spec meaning is UNVERIFIED (facts §1.4).
    case block_id::kChmu: return "chmu";
    default: return "";
  }
}

std::string byte_size_text(std::uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

namespace detail {

void decode_register_locator(const ConfigSpace& config, const Dvsec& dvsec, const BarLayout& bars,
                             std::vector<RegisterBlock>& blocks, std::vector<Error>& problems) {
  auto where = [&](unsigned entry) {
    return fmt::format("Register Locator at 0x{:03x} entry {}", dvsec.offset, entry);
  };
  if (dvsec.length < loc::kFirstEntry) {
    problems.emplace_back(Errc::kMalformed,
                          fmt::format("Register Locator at 0x{:03x}: length {} leaves no room for entries",
                                      dvsec.offset, dvsec.length));
    return;
  }
  unsigned entries = (dvsec.length - loc::kFirstEntry) / loc::kEntrySize;
  if ((dvsec.length - loc::kFirstEntry) % loc::kEntrySize != 0) {
    problems.emplace_back(Errc::kMalformed,
                          fmt::format("Register Locator at 0x{:03x}: length {} is not 12 + a multiple of 8; "
                                      "the trailing {} bytes are ignored",
                                      dvsec.offset, dvsec.length,
                                      (dvsec.length - loc::kFirstEntry) % loc::kEntrySize));
  }
  for (unsigned i = 0; i < entries; ++i) {
    // read_dvsec() checked that the body lies inside config space.
    std::uint32_t low = config.read32(dvsec.offset + loc::entry_low(i)).value_or(0);
    std::uint32_t high = config.read32(dvsec.offset + loc::entry_high(i)).value_or(0);
    RegisterBlock block;
    block.locator_entry = i;
    block.bir = static_cast<unsigned>(loc::kBir.get(low));
    block.block_id = static_cast<unsigned>(loc::kBlockId.get(low));
    block.offset = (static_cast<std::uint64_t>(high) << 32) | (low & loc::kOffsetLowMask);
    if (block.block_id == block_id::kEmpty) continue;
    if (block.bir >= bars.count) {
      problems.emplace_back(Errc::kMalformed,
                            fmt::format("{}: BIR {} names no BAR (the function has {}); entry skipped",
                                        where(i), block.bir, bars.count));
      continue;
    }
    switch (bars.slots[block.bir]) {
      case BarSlot::kMemory: break;
      case BarSlot::kAbsent:
        problems.emplace_back(Errc::kMalformed,
                              fmt::format("{}: BIR {} names BAR{}, which is not implemented; entry skipped",
                                          where(i), block.bir, block.bir));
        continue;
      case BarSlot::kIo:
        problems.emplace_back(Errc::kMalformed,
                              fmt::format("{}: BIR {} names an I/O BAR; entry skipped", where(i), block.bir));
        continue;
      case BarSlot::kUpperHalf:
        problems.emplace_back(Errc::kMalformed,
                              fmt::format("{}: BIR {} names the upper half of 64-bit BAR{}; entry skipped",
                                          where(i), block.bir, block.bir - 1));
        continue;
    }
    block.bar_size = bars.sizes[block.bir];
    if (block.bar_size && block.offset >= *block.bar_size) {
      problems.emplace_back(Errc::kMalformed,
                            fmt::format("{}: offset 0x{:x} lies past BAR{} ({}); entry skipped", where(i),
                                        block.offset, block.bir, byte_size_text(*block.bar_size)));
      continue;
    }
    blocks.push_back(block);
  }
}

}  // namespace detail
}  // namespace cpmu
