#include "cpmu/countable_capabilities.hpp"

namespace cpmu {

CpmuEventCapabilities countable_capabilities(const CpmuCapabilities& caps) {
  CpmuEventCapabilities out;
  bool any_configurable = false;
  for (const CounterInfo& counter : caps.counters) {
    if (counter.type == CounterType::kConfigurable) {
      any_configurable = true;
      continue;
    }
    if (counter.type != CounterType::kFixed && counter.type != CounterType::kFreeRunning) continue;
    if (counter.event_group_index >= caps.event_capabilities.size()) continue;
    const EventCapability& group = caps.event_capabilities[counter.event_group_index];
    out.fixed.push_back(EventCode{group.vendor_id, group.group_id, counter.events});
  }
  if (any_configurable) {
    for (const EventCapability& group : caps.event_capabilities) {
      out.configurable.push_back(EventCode{group.vendor_id, group.group_id, group.supported_events});
    }
  }
  return out;
}

}  // namespace cpmu
