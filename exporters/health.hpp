// /health: whether the exporter's numbers can be used right now. Healthy
// while the monitor runs, its latest snapshot is fresh (younger than three
// intervals, and at least two seconds, so a loaded machine's late wake-up is
// not an outage) and every CPMU counted in it; otherwise the reasons.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "collection.hpp"

namespace cpmu::exporter {

struct HealthReport {
  bool healthy = false;
  std::vector<std::string> reasons;  // empty when healthy
};

// now_ns: the monitor's clock (steady_now()).
HealthReport check_health(const CollectionView& view, bool stopped, std::uint64_t now_ns);

}  // namespace cpmu::exporter
