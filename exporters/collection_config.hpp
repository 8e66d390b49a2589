// What cpmu-exporter collects, from its collection file (YAML, or JSON,
// which YAML reads too): the sampling interval, which CPMUs, and which
// events per component kind. Documented in cpmu-exporter(8).
//
//   interval: 1s                 # 10ms .. 1h; "500ms", "2s", "1m" or seconds
//   cpmus: ["0000:0d:00.0/0"]    # selectors (cpmu/selector.hpp); absent: every usable CPMU
//   events:                      # per component kind; absent kinds keep the defaults
//     endpoint: [s2m_drs_memdata, m2s_rwd_memwr_all]
//     upstream-port: [...]
//
// Each CPMU counts the events of its kind it supports; the rest are left out.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/component_kind.hpp"
#include "cpmu/result.hpp"

namespace cpmu::exporter {

struct CollectionConfig {
  std::chrono::nanoseconds interval = std::chrono::seconds(1);
  std::vector<std::string> cpmus;                            // selectors; empty: every CPMU that can count
  std::map<ComponentKind, std::vector<std::string>> events;  // every kind present

  const std::vector<std::string>& events_for(ComponentKind kind) const;
};

// The defaults, on every kind: read data and writes (bandwidth), read
// requests and the CPMU clock, so bandwidth and utilisation need no file.
CollectionConfig default_collection_config();

// Parses a collection file's text; `name` is the file named in errors.
// Unknown keys and kinds, bad durations and non-string events are errors.
Result<CollectionConfig> parse_collection_config(std::string_view text, std::string_view name);
Result<CollectionConfig> load_collection_config(const std::string& path);

// "500ms", "2s", "1m", "1h" or a number of seconds ("0.5").
Result<std::chrono::nanoseconds> parse_duration(std::string_view text);

}  // namespace cpmu::exporter
