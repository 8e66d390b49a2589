// Names to event codes and back, and which catalogue entries a CPMU can count.
#include <fmt/format.h>

#include <algorithm>

#include "cpmu/events.hpp"

namespace cpmu {

std::uint64_t EventCode::config() const {
  return static_cast<std::uint64_t>(vid) << 48 | static_cast<std::uint64_t>(gid) << 32 | mask;
}

std::optional<EventCode> EventCatalogue::resolve(std::string_view name) const {
  const EventInfo* event = find_event(name);
  return event ? std::optional<EventCode>(event->code) : std::nullopt;
}

std::string EventCatalogue::describe(const EventCode& code) const {
  if (const auto it = by_code_.find(code.config()); it != by_code_.end()) return events_[it->second].name;
  std::string sum;
  for (unsigned bit = 0; bit < 32 && code.mask; ++bit) {
    const std::uint32_t one = std::uint32_t{1} << bit;
    if (!(code.mask & one)) continue;
    const auto it = by_code_.find(EventCode{code.vid, code.gid, one}.config());
    if (it == by_code_.end()) {
      sum.clear();
      break;
    }
    sum += (sum.empty() ? "" : "+") + events_[it->second].name;
  }
  if (!sum.empty()) return sum;
  return fmt::format("vid={:#x},gid={:#x},mask={:#x}", code.vid, code.gid, code.mask);
}

Countability countability(const EventCode& code, const CpmuEventCapabilities& caps) {
  Countability how;
  how.fixed = std::find(caps.fixed.begin(), caps.fixed.end(), code) != caps.fixed.end();
  how.configurable = code.mask != 0 && std::any_of(caps.configurable.begin(), caps.configurable.end(),
                                                   [&](const EventCode& cap) {
                                                     return cap.vid == code.vid && cap.gid == code.gid &&
                                                            (code.mask & ~cap.mask) == 0;
                                                   });
  return how;
}

Countability EventCatalogue::countability(const MetricInfo& metric, const CpmuEventCapabilities& caps) const {
  bool all_configurable = true;
  for (const auto& name : metric.formula.names()) {
    const auto code = resolve(name);
    const Countability input = code ? cpmu::countability(*code, caps) : Countability{};
    if (!input.countable()) return {};
    all_configurable = all_configurable && input.configurable;
  }
  return all_configurable ? Countability{true, false} : Countability{false, true};
}

EventCatalogue::Countable EventCatalogue::countable(const CpmuEventCapabilities& caps) const {
  Countable out;
  for (const auto& event : events_) {
    if (const auto how = cpmu::countability(event.code, caps); how.countable()) out.events.push_back({&event, how});
  }
  for (const auto& metric : metrics_) {
    if (const auto how = countability(metric, caps); how.countable()) out.metrics.push_back({&metric, how});
  }
  return out;
}

}  // namespace cpmu
