// The catalogue as perf's pmu-events JSON (tools/perf/pmu-events), the
// layout perf's jevents.py builds its event and metric tables from:
//   <arch>/mapfile.csv           one row matching every CPU to the model dir
//   <arch>/cxl/cxl-pmu.json      events: EventName, BriefDescription, Unit,
//                                ConfigCode (the cxl_pmu config word)
//   <arch>/cxl/cxl-metrics.json  metrics: MetricName, MetricExpr, MetricGroup,
//                                BriefDescription, ScaleUnit
// so a perf built with it knows the catalogue's names and derived metrics
// (bandwidth in bytes/s, read/write mix, ...) for the kernel's cxl_pmu PMUs.
#pragma once

#include <string>
#include <vector>

#include "cpmu/events.hpp"
#include "cpmu/export.hpp"

namespace cpmu {

struct PmuEventsFile {
  std::string path;  // relative: "x86/cxl/cxl-pmu.json"
  std::string text;
};

// `arch`: the perf architecture directory ("x86", "arm64", ...).
CPMU_API std::vector<PmuEventsFile> pmu_events_json(const EventCatalogue& catalogue, const std::string& arch);

}  // namespace cpmu
