// Event terms: how users name what to count, e.g. on `cpmu stat -e`.
//
// A term list is comma-separated; commas inside /.../ belong to that term.
//   d2h_req_rd_all                      a catalogue event or aggregate
//   m2s_req_memrd+m2s_req_memrddata     a sum of events of one group
//   vid=0x1e98,gid=0x10,mask=0x3e       a raw event; a field that repeats
//                                       starts the next raw event
//   clock_ticks,threshold=1,edge        modifiers after a name apply to it
//   cxl_pmu_mem0.0/vid=0x1e98,gid=0x10,mask=0x2/   perf style, one event
//   cxl_pmu_mem0.0/clock_ticks/
// Fields: vid, gid, mask, threshold (0..255), edge, invert, hdm (an HDM
// decoder index; selects the filter) and hdm_filter_en, as the kernel's
// cxl_pmu format/ names them. Numbers are decimal or 0x-hexadecimal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/events.hpp"
#include "cpmu/export.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

struct EventTerm {
  std::string text;  // as written
  std::string pmu;   // "cxl_pmu_mem0.0" for a pmu/.../ term, else empty
  std::string name;  // the catalogue name(s) used ("a" or "a+b"); empty when raw
  EventCode code;
  std::uint8_t threshold = 0;
  bool edge = false;
  bool invert = false;
  std::optional<std::uint16_t> hdm;  // count only this HDM decoder's traffic
};

// Errors name the term and the 1-based character position in `text`.
CPMU_API Result<std::vector<EventTerm>> parse_event_terms(std::string_view text, const EventCatalogue& catalogue);

// perf_event_attr config words for the kernel's cxl_pmu driver (cxl-facts §3.1).
struct PerfEventConfig {
  std::uint64_t config = 0;
  std::uint64_t config1 = 0;
  std::uint64_t config2 = 0;
};
CPMU_API PerfEventConfig perf_event_config(const EventTerm& term);

}  // namespace cpmu
