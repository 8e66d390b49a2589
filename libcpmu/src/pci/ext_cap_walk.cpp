#include "pci/ext_cap_walk.hpp"

#include <fmt/format.h>

#include <bitset>

#include "cpmu/regs/pci_config.hpp"

namespace cpmu::detail {

namespace pci = regs::pci;

namespace {

Error malformed(std::string message) { return Error(Errc::kMalformed, std::move(message)); }

// Conventional capabilities live in 0x40..0xff and are 4-byte aligned, so at
// most (256 - 64) / 4 = 48 can exist.
constexpr unsigned kFirstCapability = 0x40;
constexpr unsigned kMaxCapabilities = (pci::kLegacyConfigSize - kFirstCapability) / 4;
constexpr unsigned kCapPointerMask = 0xfc;

}  // namespace

CapabilityWalk walk_capabilities(const ConfigSpace& config) {
  CapabilityWalk walk;
  auto status = config.read16(pci::kStatus);
  if (!status || !pci::status::kCapList.get(*status)) return walk;
  auto pointer = config.read8(pci::kCapPointer);
  if (!pointer) return walk;
  unsigned where = *pointer;
  if ((where & 3u) != 0) {
    walk.problems.push_back(malformed(
        fmt::format("capability pointer 0x{:02x} at 0x34 is not 4-byte aligned", where)));
    where &= kCapPointerMask;
  }
  std::bitset<pci::kLegacyConfigSize / 4> visited;
  for (unsigned step = 0; where != 0; ++step) {
    if (where < kFirstCapability) {
      walk.problems.push_back(malformed(
          fmt::format("capability list points to 0x{:02x}, inside the standard header", where)));
      break;
    }
    if (step == kMaxCapabilities) {
      walk.problems.push_back(malformed(
          fmt::format("capability list longer than {} entries", kMaxCapabilities)));
      break;
    }
    if (visited[where / 4]) {
      walk.problems.push_back(malformed(fmt::format("capability list loops at 0x{:02x}", where)));
      break;
    }
    visited[where / 4] = true;
    auto id = config.read8(where);
    auto next = config.read8(where + 1);
    if (!id || !next) {
      walk.problems.push_back(malformed(
          fmt::format("capability at 0x{:02x} lies past the {} bytes that could be read", where,
                      config.size())));
      break;
    }
    if (*id == 0xff && *next == 0xff) {
      walk.problems.push_back(Error(Errc::kDeviceGone,
                                    fmt::format("capability at 0x{:02x} reads all ones", where)));
      break;
    }
    walk.capabilities.push_back({where, *id, 0});
    where = *next & kCapPointerMask;
  }
  return walk;
}

CapabilityWalk walk_extended_capabilities(const ConfigSpace& config) {
  CapabilityWalk walk;
  if (config.size() < pci::kConfigSize) return walk;   // no extended space to walk
  std::bitset<pci::kConfigSize / 4> visited;
  unsigned where = pci::kExtCapStart;
  for (unsigned step = 0;; ++step) {
    if (step == pci::kMaxExtCapSteps) {
      walk.problems.push_back(malformed(fmt::format(
          "extended capability chain longer than {} entries, stopped at 0x{:03x}",
          pci::kMaxExtCapSteps, where)));
      break;
    }
    if (visited[where / 4]) {
      walk.problems.push_back(malformed(fmt::format("capability chain loops at 0x{:03x}", where)));
      break;
    }
    visited[where / 4] = true;
    // The walk only reaches offsets < 4096 that are multiples of 4, so the
    // read cannot fail on a full-size view.
    std::uint32_t header = config.read32(where).value_or(0);
    if (header == 0xffffffffu) {
      walk.problems.push_back(Error(
          Errc::kDeviceGone, fmt::format("extended capability header at 0x{:03x} reads all ones", where)));
      break;
    }
    if (header == 0) {
      // An empty header ends the chain (at 0x100 it means "no capabilities").
      break;
    }
    walk.capabilities.push_back({where, static_cast<unsigned>(pci::ext_cap::kId.get(header)),
                                 static_cast<unsigned>(pci::ext_cap::kVersion.get(header))});
    auto next = static_cast<unsigned>(pci::ext_cap::kNext.get(header));
    if ((next & ~pci::ext_cap::kNextAlignMask) != 0) {
      // The kernel masks the reserved low bits and carries on; so do we, but say so.
      walk.problems.push_back(malformed(fmt::format(
          "extended capability at 0x{:03x}: next pointer 0x{:03x} is not 4-byte aligned", where, next)));
      next &= pci::ext_cap::kNextAlignMask;
    }
    if (next == 0) break;
    if (next < pci::kExtCapStart) {
      walk.problems.push_back(malformed(fmt::format(
          "extended capability at 0x{:03x}: next pointer 0x{:03x} is below 0x100", where, next)));
      break;
    }
    where = next;
  }
  return walk;
}

}  // namespace cpmu::detail
