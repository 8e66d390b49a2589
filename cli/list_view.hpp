// What `cpmu list` shows: the discovered machine, its topology, which
// functions the filters selected, and the renderers for people (a tree) and
// for scripts (JSON: cpmu::json::encode_machine, schema/cpmu.schema.json).
#pragma once

#include <string>
#include <vector>

#include "cpmu/events.hpp"
#include "cpmu/topology.hpp"

namespace cpmu::cli {

struct ListView {
  const DiscoveredMachine* machine = nullptr;
  const Topology* topology = nullptr;
  std::vector<bool> selected;              // per function: matched the filters
  std::vector<bool> shown;                 // per function: selected, or an ancestor of one
  std::vector<std::string> perf_pmus;      // the kernel's cxl_pmu_* perf PMUs
  const EventCatalogue* catalogue = nullptr;   // for event names; may be null
  bool verbose = false;
};

std::string render_list_tree(const ListView& view);

}  // namespace cpmu::cli
