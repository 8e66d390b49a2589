#include "perf/cpmu_perf_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "perf/perf_backend.hpp"

namespace cpmu {

namespace {

PerfTerm term(std::string name, std::uint64_t value) {
  PerfTerm t;
  t.name = std::move(name);
  t.value = value;
  return t;
}

}  // namespace

Result<PerfConfig> cxl_perf_config(const PerfPmu& pmu, const EventSelection& selection) {
  if (selection.channel_rank_bank) {
    return Error(Errc::kUnsupported, fmt::format("the kernel's {} driver has no channel/rank/bank filter", pmu.name));
  }
  std::vector<PerfTerm> terms = {term("vid", selection.code.vid), term("gid", selection.code.gid),
                                 term("mask", selection.code.mask)};
  if (selection.threshold != 0) terms.push_back(term("threshold", selection.threshold));
  if (selection.edge) terms.push_back(term("edge", 1));
  if (selection.invert) terms.push_back(term("invert", 1));
  if (selection.hdm_decoder) {
    if (!pmu.find_format("hdm")) {
      return Error(Errc::kUnsupported,
                   fmt::format("{} offers no HDM decoder filter (no format/hdm: the CPMU lacks it)", pmu.name));
    }
    terms.push_back(term("hdm_filter_en", 1));
    terms.push_back(term("hdm", *selection.hdm_decoder));
  }
  return pmu.encode(terms, pmu.name);
}

std::vector<std::string> cxl_pmu_quirks(const CpmuCapabilities& caps, const std::vector<EventSelection>& selections) {
  std::vector<std::string> out(selections.size());
  std::vector<bool> owned(caps.event_capabilities.size(), false);
  for (const CounterInfo& counter : caps.counters) {
    if (counter.type == CounterType::kFixed && counter.event_group_index < owned.size()) {
      owned[counter.event_group_index] = true;
    }
  }
  std::vector<bool> fixed_busy(caps.counters.size(), false);
  for (std::size_t i = 0; i < selections.size(); ++i) {
    const EventCode& code = selections[i].code;
    // The driver tries the highest-index exactly matching fixed counter only.
    bool on_fixed = false;
    for (std::size_t n = caps.counters.size(); n-- > 0;) {
      const CounterInfo& counter = caps.counters[n];
      if (counter.type != CounterType::kFixed || counter.event_group_index >= caps.event_capabilities.size()) continue;
      const EventCapability& cap = caps.event_capabilities[counter.event_group_index];
      if (cap.vendor_id != code.vid || cap.group_id != code.gid || counter.events != code.mask) continue;
      if (!fixed_busy[n]) {
        fixed_busy[n] = true;
        on_fixed = true;
      }
      break;
    }
    if (on_fixed) continue;
    for (std::size_t j = caps.event_capabilities.size(); j-- > 0;) {
      const EventCapability& cap = caps.event_capabilities[j];
      if (owned[j] || cap.vendor_id != code.vid || cap.group_id != code.gid ||
          (code.mask & ~cap.supported_events) != 0) {
        continue;
      }
      if (j != 0) {
        const EventCapability& zero = caps.event_capabilities[0];
        out[i] = fmt::format(
            "the kernel's cxl_pmu driver programs Event Capabilities index 0 (vid {:#x} gid {:#x}) into a "
            "configurable counter for it, but its group is at index {}: the count is of the wrong group (facts 2.7)",
            zero.vendor_id, zero.group_id, j);
      }
      break;
    }
  }
  return out;
}

Result<std::unique_ptr<CounterBackend>> open_cpmu_perf_backend(const DiscoveredFunction& function, const Cpmu& cpmu,
                                                               const std::vector<CountRequest>& requests,
                                                               const CpmuPerfOptions& options) {
  auto pmu_name = find_cxl_perf_pmu(options.event_source_root, function.info.address, cpmu.instance);
  // The session matched it through /sys/bus/cxl's pmu_memX.Y (the same
  // parent, seen from the CXL bus) where the PMU's own path does not show it.
  if (!pmu_name && !cpmu.perf_pmu.empty()) pmu_name = cpmu.perf_pmu;
  if (!pmu_name) {
    return Error(Errc::kNotFound,
                 fmt::format("no perf PMU of the kernel's cxl_pmu driver for CPMU {} of {} under {}/devices (no "
                             "cxl_pmu_memX.Y whose parent pmu_memX.{} is a child of {}): is the cxl_pmu module loaded?",
                             cpmu.instance, function.info.address.to_string(), options.event_source_root, cpmu.instance,
                             function.info.address.to_string()));
  }
  auto pmu = read_perf_pmu(options.event_source_root + "/devices/" + *pmu_name, options.read);
  if (!pmu) return pmu.error();
  std::vector<EventSelection> selections;
  for (const CountRequest& r : requests) selections.push_back(r.event);
  const std::vector<std::string> quirks =
      cpmu.capabilities ? cxl_pmu_quirks(*cpmu.capabilities, selections) : std::vector<std::string>(requests.size());
  std::vector<PerfCount> counts;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    PerfCount count;
    count.label = requests[i].label;
    if (auto config = cxl_perf_config(*pmu, requests[i].event)) {
      count.config = *config;
    } else {
      count.unsupported = config.error().message();
    }
    count.doubt = quirks[i];
    counts.push_back(std::move(count));
  }
  PerfBackendOptions perf;
  perf.now = options.now;
  // {a,b} groups become perf groups; every other request is its own.
  std::map<unsigned, std::size_t> group_of;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!requests[i].group) {
      perf.groups.push_back({i});
    } else if (auto [it, added] = group_of.emplace(*requests[i].group, perf.groups.size()); added) {
      perf.groups.push_back({i});
    } else {
      perf.groups[it->second].push_back(i);
    }
  }
  if (cpmu.capabilities && cpmu.capabilities->counter_width > 0) perf.counter_width = cpmu.capabilities->counter_width;
  return open_perf_backend(*pmu, std::move(counts), std::move(perf));
}

}  // namespace cpmu
