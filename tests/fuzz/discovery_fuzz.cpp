// Fuzz target: decode_function() over an arbitrary config space must report,
// never crash, hang or return blocks that break its own rules. Input: up to
// 4096 bytes of config space, then optionally six little-endian 64-bit BAR
// sizes (so the locator's BAR checks are exercised too). Seeds: QEMU 7.2's
// real config spaces and hand-made bad chains (corpus/discovery_fuzz/).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "cpmu/discovery.hpp"
#include "cpmu/regs/cxl_dvsec.hpp"
#include "cpmu/regs/pci_config.hpp"
#include "cpmu/topology.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kConfig = cpmu::regs::pci::kConfigSize;
  std::span<const std::uint8_t> input(data, size);
  auto config = input.first(std::min(size, kConfig));
  cpmu::PciFunctionInfo info;
  for (unsigned bar = 0; bar < 6 && size >= kConfig + 8 * (bar + 1); ++bar) {
    std::uint64_t bar_size = 0;
    for (unsigned i = 0; i < 8; ++i) bar_size |= std::uint64_t{data[kConfig + 8 * bar + i]} << (8 * i);
    info.bars.push_back({bar, 0, bar_size, false, false, false});
  }
  cpmu::DiscoveredMachine machine;
  machine.functions.push_back(cpmu::decode_function(cpmu::ConfigSpace(config), info));
  const auto& fn = machine.functions.front();
  for (const auto& block : fn.register_blocks) {
    if (block.bar_size && block.offset >= *block.bar_size) __builtin_trap();
  }
  for (std::size_t i = 0; i < fn.cpmus.size(); ++i) {
    if (fn.cpmus[i].instance != i || fn.cpmus[i].block.block_id != cpmu::regs::dvsec::block_id::kCpmu) {
      __builtin_trap();
    }
  }
  for (const auto& cap : fn.extended_capabilities) {
    if (cap.offset < cpmu::regs::pci::kExtCapStart || cap.offset % 4 != 0) __builtin_trap();
  }
  if (fn.extended_capabilities.size() > cpmu::regs::pci::kMaxExtCapSteps) __builtin_trap();
  auto topology = cpmu::build_topology(machine);
  if (topology.host_bridges.size() != 1) __builtin_trap();
  return 0;
}
