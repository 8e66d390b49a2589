// plan_counts(): which counter serves which request (docs/counting.md,
// "Scheduling"). Pure: capabilities in, plan out.
#include "cpmu/counter_scheduler.hpp"

#include <algorithm>
#include <bit>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cpmu/regs/cpmu.hpp"

namespace cpmu {
namespace {

namespace filter = regs::cpmu::filter;

std::string code_text(const EventCode& code) {
  return fmt::format("VID {:#06x} GID {:#06x} mask {:#x}", code.vid, code.gid, code.mask);
}

// The parts of a selection a hard-wired counter cannot apply, in words.
std::vector<std::string> modifiers(const EventSelection& e) {
  std::vector<std::string> out;
  if (e.threshold != 0) out.push_back(fmt::format("threshold {}", e.threshold));
  if (e.edge) out.emplace_back("edge");
  if (e.invert) out.emplace_back("invert");
  if (e.hdm_decoder) out.emplace_back("the HDM-decoder filter");
  if (e.channel_rank_bank) out.emplace_back("the channel/rank/bank filter");
  return out;
}

// Why the CPMU's filter registers cannot do what `e` asks, or "".
std::string filter_problem(const CpmuCapabilities& caps, const EventSelection& e) {
  struct Check {
    const std::optional<std::uint32_t>& value;
    bool supported;
    const char* name;
    unsigned bit;
  };
  for (const Check& c : {Check{e.hdm_decoder, caps.hdm_filter(), "HDM-decoder filter", filter::kHdmDecoder},
                         Check{e.channel_rank_bank, caps.channel_rank_bank_filter(), "channel/rank/bank filter",
                               filter::kChannelRankBank}}) {
    if (!c.value) continue;
    if (!c.supported) return fmt::format("{}: this CPMU's capability register has filter bit {} clear", c.name, c.bit);
    if (*c.value == filter::kDisabled) {
      return fmt::format("{}: value {:#x} is the register's \"no filtering\" value, not a selection", c.name,
                         *c.value);
    }
  }
  return {};
}

bool fixed_owned(const CpmuCapabilities& caps, unsigned cap_index) {
  return std::any_of(caps.counters.begin(), caps.counters.end(), [&](const CounterInfo& c) {
    return c.type == CounterType::kFixed && c.event_group_index == cap_index;
  });
}

struct Analysis {
  std::vector<unsigned> fixed;          // fixed counters counting exactly the event
  std::vector<unsigned> free_running;   // free-running counters counting exactly the event
  std::optional<unsigned> capability;   // for a configurable counter
  std::string configurable_problem;     // why no configurable counter can count it
  std::string hardwired_problem;        // why no fixed or free-running counter can
};

// The Event Capabilities register a configurable counter counts `code`
// through: one with the VID and GID whose supported events include the mask.
// Registers no fixed counter is wired to come first; the others are used too,
// since nothing in the register block reserves them (docs/counting.md).
std::optional<unsigned> matching_capability(const CpmuCapabilities& caps, const EventCode& code,
                                            std::string& problem) {
  std::vector<unsigned> same_group;
  for (unsigned j = 0; j < caps.event_capabilities.size(); ++j) {
    const EventCapability& cap = caps.event_capabilities[j];
    if (cap.vendor_id == code.vid && cap.group_id == code.gid) same_group.push_back(j);
  }
  if (same_group.empty()) {
    problem = fmt::format("no Event Capabilities register of this CPMU has VID {:#06x} GID {:#06x}", code.vid,
                          code.gid);
    return std::nullopt;
  }
  std::stable_partition(same_group.begin(), same_group.end(), [&](unsigned j) { return !fixed_owned(caps, j); });
  for (unsigned j : same_group) {
    if ((code.mask & ~caps.event_capabilities[j].supported_events) == 0) return j;
  }
  std::string supports;
  for (unsigned j : same_group) {
    const std::uint32_t supported = caps.event_capabilities[j].supported_events;
    supports += fmt::format("{}event capability {} supports {:#x} (bits {:#x} of the mask are not in it)",
                            supports.empty() ? "" : "; ", j, supported, code.mask & ~supported);
  }
  problem = fmt::format("mask {:#x} is not within the events of one Event Capabilities register: {}", code.mask,
                        supports);
  return std::nullopt;
}

Analysis analyse(const CpmuCapabilities& caps, const EventSelection& e, bool has_configurable) {
  Analysis a;
  if (e.code.mask == 0) {
    a.configurable_problem = "mask 0 selects no event";
    return a;
  }
  const std::vector<std::string> mods = modifiers(e);
  std::vector<unsigned> exact;
  for (unsigned n = 0; n < caps.counters.size(); ++n) {
    const CounterInfo& c = caps.counters[n];
    if (c.type != CounterType::kFixed && c.type != CounterType::kFreeRunning) continue;
    const EventCapability& cap = caps.event_capabilities.at(c.event_group_index);
    if (cap.vendor_id != e.code.vid || cap.group_id != e.code.gid || c.events != e.code.mask) continue;
    exact.push_back(n);
    if (mods.empty()) (c.type == CounterType::kFixed ? a.fixed : a.free_running).push_back(n);
  }
  // Said only where it helps: a plain request nothing hard-wired counts, or
  // a hard-wired counter that would count it but for the modifiers.
  if (exact.empty() && mods.empty()) {
    a.hardwired_problem = fmt::format("no fixed or free-running counter counts exactly {}", code_text(e.code));
  } else if (!exact.empty() && !mods.empty()) {
    a.hardwired_problem = fmt::format("{} counter {} counts exactly this event, but its behaviour is hard-wired: {} "
                                      "needs a configurable counter",
                                      counter_type_name(caps.counters[exact.front()].type), exact.front(),
                                      fmt::join(mods, ", "));
  }
  a.configurable_problem = filter_problem(caps, e);
  if (!a.configurable_problem.empty()) return a;
  if (!has_configurable) {
    a.configurable_problem = "this CPMU has no configurable counter";
    return a;
  }
  a.capability = matching_capability(caps, e.code, a.configurable_problem);
  return a;
}

}  // namespace

bool counts_cycles(const EventSelection& event) { return event.threshold != 0 || event.edge || event.invert; }

unsigned max_increments_per_cycle(const EventSelection& event) {
  // clock_ticks is the clock itself: one per cycle.
  const EventCode clock_ticks{kCxlVendorId, regs::cpmu::event_group::kClockTicks,
                              1u << regs::cpmu::event_bit::kClockTicks};
  if (counts_cycles(event) || event.code == clock_ticks) return 1;
  return kMaxEventsPerCyclePerBit * static_cast<unsigned>(std::popcount(event.code.mask));
}

CountPlan plan_counts(const CpmuCapabilities& caps, const std::vector<CountRequest>& requests) {
  std::vector<unsigned> configurable;
  for (unsigned n = 0; n < caps.counters.size(); ++n) {
    if (caps.counters[n].type == CounterType::kConfigurable) configurable.push_back(n);
  }
  std::vector<Analysis> analyses;
  for (const CountRequest& r : requests) analyses.push_back(analyse(caps, r.event, !configurable.empty()));

  CountPlan plan;
  plan.counts.resize(requests.size());
  std::vector<bool> used(caps.counters.size(), false);
  // Fixed counters first, then free-running ones: neither takes a
  // configurable counter away from a request that needs one.
  auto place_hardwired = [&](Placement placement, std::vector<unsigned> Analysis::*candidates) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      PlannedCount& p = plan.counts[i];
      if (p.counter) continue;
      for (unsigned n : analyses[i].*candidates) {
        if (used[n]) continue;
        used[n] = true;
        p.placement = placement;
        p.counter = n;
        p.event_capability = caps.counters[n].event_group_index;
        p.reason = fmt::format("{} counter {} counts exactly this event{}", counter_type_name(caps.counters[n].type),
                               n, placement == Placement::kFreeRunning ? " (read, never written)" : "");
        break;
      }
    }
  };
  place_hardwired(Placement::kFixed, &Analysis::fixed);
  place_hardwired(Placement::kFreeRunning, &Analysis::free_running);

  std::vector<std::size_t> pool;   // requests for configurable counters, in request order
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!plan.counts[i].counter && analyses[i].capability) pool.push_back(i);
  }
  plan.multiplexing = pool.size() > configurable.size();
  for (std::size_t k = 0; k < pool.size(); ++k) {
    PlannedCount& p = plan.counts[pool[k]];
    const unsigned cap = *analyses[pool[k]].capability;
    p.event_capability = cap;
    if (k < configurable.size()) p.counter = configurable[k];
    if (plan.multiplexing) {
      p.placement = Placement::kMultiplexed;
      p.reason = fmt::format("{} requests share {} configurable counters in rotation, through event capability {}; "
                             "values are scaled estimates",
                             pool.size(), configurable.size(), cap);
    } else {
      p.placement = Placement::kConfigurable;
      p.reason = fmt::format("configurable counter {}, programmed with event capability {} (group index {})",
                             configurable[k], cap, cap);
    }
  }

  for (std::size_t i = 0; i < requests.size(); ++i) {
    PlannedCount& p = plan.counts[i];
    if (p.placement != Placement::kNotSupported) continue;
    const Analysis& a = analyses[i];
    if (!a.fixed.empty() || !a.free_running.empty()) {
      // It had hard-wired counters, but earlier requests took them all.
      p.reason = fmt::format("every counter that counts exactly {} is taken by an earlier request; {}",
                             code_text(requests[i].event.code), a.configurable_problem);
    } else {
      p.reason = a.hardwired_problem.empty() ? a.configurable_problem
                                             : fmt::format("{}; {}", a.configurable_problem, a.hardwired_problem);
    }
  }
  return plan;
}

}  // namespace cpmu
