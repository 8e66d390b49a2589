#include "counting/programming_check.hpp"

#include <vector>

#include <fmt/format.h>

namespace cpmu {

namespace reg = regs::cpmu;
namespace cfg = regs::cpmu::counter_cfg;

std::string programming_mismatch(CpmuDevice& device, unsigned counter, const CounterProgram& program) {
  const std::uint64_t wrote = counter_config_word(program);
  const std::uint64_t reads = device.read_config(counter);
  std::vector<std::string> refused;
  const auto field = [&](const char* name, regs::Field f) {
    if (f.get(wrote) != f.get(reads)) {
      refused.push_back(fmt::format("{} {:#x} (reads back {:#x})", name, f.get(wrote), f.get(reads)));
    }
  };
  if (cfg::kEvents.get(wrote) != cfg::kEvents.get(reads) ||
      cfg::kEventGroupIndex.get(wrote) != cfg::kEventGroupIndex.get(reads)) {
    refused.push_back(fmt::format("event selection {:#x} of group index {} (reads back {:#x} of index {})",
                                  cfg::kEvents.get(wrote), cfg::kEventGroupIndex.get(wrote), cfg::kEvents.get(reads),
                                  cfg::kEventGroupIndex.get(reads)));
  }
  field("enable", cfg::kEnable);
  field("interrupt-on-overflow", cfg::kIntOnOverflow);
  field("edge", cfg::kEdge);
  field("invert", cfg::kInvert);
  field("threshold", cfg::kThreshold);
  const CpmuCapabilities& caps = device.capabilities();
  const auto filter = [&](bool present, unsigned index, const char* name) {
    if (!present) return;
    const std::uint32_t read = device.read_filter(counter, index);
    if (read != program.filters[index]) {
      refused.push_back(fmt::format("the {} filter {:#x} (reads back {:#x})", name, program.filters[index], read));
    }
  };
  filter(caps.hdm_filter(), reg::filter::kHdmDecoder, "HDM-decoder");
  filter(caps.channel_rank_bank_filter(), reg::filter::kChannelRankBank, "channel/rank/bank");
  if (refused.empty()) return {};
  return fmt::format("counter {} did not accept {}", counter, fmt::join(refused, ", "));
}

std::string free_running_changes(CpmuDevice& device, unsigned counter) {
  const std::uint64_t config = device.read_config(counter);
  const CpmuCapabilities& caps = device.capabilities();
  std::vector<std::string> changed;
  if (cfg::kThreshold.get(config) != 0) changed.push_back(fmt::format("threshold {}", cfg::kThreshold.get(config)));
  if (cfg::kEdge.get(config) != 0) changed.emplace_back("edge");
  if (cfg::kInvert.get(config) != 0) changed.emplace_back("invert");
  if (caps.hdm_filter() && device.read_filter(counter, reg::filter::kHdmDecoder) != reg::filter::kDisabled) {
    changed.emplace_back("the HDM-decoder filter");
  }
  if (caps.channel_rank_bank_filter() &&
      device.read_filter(counter, reg::filter::kChannelRankBank) != reg::filter::kDisabled) {
    changed.emplace_back("the channel/rank/bank filter");
  }
  if (changed.empty()) return {};
  return fmt::format("free-running counter {} has {} set by someone else, so it does not count exactly this event",
                     counter, fmt::join(changed, ", "));
}

}  // namespace cpmu
