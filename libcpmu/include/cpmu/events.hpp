// The event catalogue: named CPMU events, named multi-bit aggregates and
// derived metrics, loaded from JSON files (format and search path in
// cpmu-events(5)); name <-> (VID, GID, mask) resolution; and which entries
// one CPMU can count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/metric.hpp"
#include "cpmu/result.hpp"
#include "cpmu/units.hpp"

namespace cpmu {

inline constexpr std::uint16_t kCxlVendorId = 0x1e98;  // VID of spec-defined events

// What a counter counts: the sum of the events selected by `mask` in the
// event group (VID, GID).
struct CPMU_API EventCode {
  std::uint16_t vid = 0;
  std::uint16_t gid = 0;
  std::uint32_t mask = 0;

  // The perf_event_attr.config word of the kernel's cxl_pmu driver:
  // vid << 48 | gid << 32 | mask.
  std::uint64_t config() const;
  bool operator==(const EventCode&) const = default;
};

struct SourceRef {
  std::string file;      // a path, or "builtin:<path>" for the compiled-in copy
  std::size_t line = 0;  // line of the entry's name
};

enum class EventKind { kEvent, kAggregate };

struct EventInfo {
  std::string name;
  EventKind kind = EventKind::kEvent;
  EventCode code;                    // one bit for an event; the members' bits for an aggregate
  Unit unit = Unit::kEvents;         // what one count is
  std::string description;
  std::string kernel_since;          // events: kernel release that names it; may be empty
  std::vector<std::string> members;  // aggregates: the events it sums
  SourceRef source;
};

struct GroupInfo {
  std::uint16_t vid = 0;
  std::uint16_t gid = 0;
  std::string name;  // a short title, e.g. "CXL.mem M2S requests"
  std::string description;
  SourceRef source;
};

struct MetricInfo {
  std::string name;
  Formula formula;
  Unit unit = Unit::kRatio;  // of the formula's value
  std::string description;
  SourceRef source;
};

// What one CPMU offers, as its registers describe it (cxl-facts §2.7).
struct CpmuEventCapabilities {
  // Event Capabilities usable by configurable counters: mask = the supported
  // events. (The kernel leaves out capabilities owned by fixed counters, and
  // all of them when the CPMU has no configurable counter.)
  std::vector<EventCode> configurable;
  // One entry per fixed-function counter: exactly what it counts.
  std::vector<EventCode> fixed;
};

struct Countability {
  bool configurable = false;  // a configurable counter can count it
  // Events: a fixed counter counts exactly this. Metrics: every input is
  // countable, some only on a fixed counter.
  bool fixed = false;

  bool countable() const { return configurable || fixed; }
  bool fixed_only() const { return fixed && !configurable; }
};

// A configurable counter counts a subset of one capability's mask; a fixed
// counter only its own exact mask (cxl-facts §2.7).
CPMU_API Countability countability(const EventCode& code, const CpmuEventCapabilities& caps);

class EventCatalogue;

// One catalogue file, named for messages.
struct EventFileText {
  std::string name;
  std::string text;
};
// The files of one precedence level (one directory of the search path).
using EventFileLevel = std::vector<EventFileText>;

struct CatalogueLoad;

class CPMU_API EventCatalogue {
 public:
  // Events and aggregates, by name (case-sensitive).
  const EventInfo* find_event(std::string_view name) const;
  const MetricInfo* find_metric(std::string_view name) const;
  const GroupInfo* find_group(std::uint16_t vid, std::uint16_t gid) const;

  // Events and aggregates ordered by VID, GID, then events by bit, then
  // aggregates by name.
  const std::vector<EventInfo>& events() const { return events_; }
  const std::vector<GroupInfo>& groups() const { return groups_; }  // by VID, GID
  const std::vector<MetricInfo>& metrics() const { return metrics_; }  // by name

  // An event or aggregate name -> its code.
  std::optional<EventCode> resolve(std::string_view name) const;
  // The best name for a code: the event or aggregate with exactly that code,
  // else "a+b+c" when every selected bit has a name, else the raw
  // "vid=0x..,gid=0x..,mask=0x..". parse_event_terms() reads every form back.
  std::string describe(const EventCode& code) const;

  Countability countability(const MetricInfo& metric, const CpmuEventCapabilities& caps) const;

  struct CountableEvent {
    const EventInfo* event;
    Countability how;
  };
  struct CountableMetric {
    const MetricInfo* metric;
    Countability how;
  };
  struct Countable {
    std::vector<CountableEvent> events;    // in events() order
    std::vector<CountableMetric> metrics;  // in metrics() order
  };
  // The entries one CPMU can count; pointers stay valid while this catalogue lives.
  Countable countable(const CpmuEventCapabilities& caps) const;

 private:
  friend CatalogueLoad build_event_catalogue(std::span<const EventFileLevel> levels);
  struct NameRef {
    bool metric;
    std::size_t index;
  };

  std::vector<EventInfo> events_;
  std::vector<GroupInfo> groups_;
  std::vector<MetricInfo> metrics_;
  std::map<std::string, NameRef, std::less<>> by_name_;
  std::map<std::uint64_t, std::size_t> by_code_;  // config() -> preferred event or aggregate
};

struct CatalogueLoad {
  EventCatalogue catalogue;
  // One error per rejected file or entry, "file:line: /json/pointer: problem";
  // everything else is in the catalogue.
  std::vector<Error> issues;
};

// Merges catalogue files. Levels go from lowest to highest precedence; a
// later level replaces same-named entries of earlier ones. Within a level
// (files in name order) a name defined differently by two files is an error
// and the later file is rejected whole; so is a file with any error of its
// own. An aggregate with an unknown member, or a metric with an unknown name,
// is dropped alone.
CPMU_API CatalogueLoad build_event_catalogue(std::span<const EventFileLevel> levels);

// Where catalogue files come from, lowest precedence first.
struct EventSearchPath {
  struct Entry {
    std::filesystem::path path;  // a directory (searched for *.json, recursively) or a file
    bool report_missing = false;  // a missing entry is an issue, not silently skipped
  };
  bool builtin = true;  // the compiled-in catalogue, below every entry
  std::vector<Entry> entries;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Built-in, then the install directory, then $XDG_CONFIG_HOME/cpmu/events
// (or ~/.config/cpmu/events), then the CPMU_EVENTS_PATH entries with the
// first one listed taking precedence, as in PATH.
CPMU_API EventSearchPath event_search_path(const EnvLookup& env);
CPMU_API EventSearchPath default_event_search_path();  // from the process environment

CPMU_API CatalogueLoad load_event_catalogue(const EventSearchPath& path);

}  // namespace cpmu
