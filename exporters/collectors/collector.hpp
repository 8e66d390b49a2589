// Collectors, one concept each (as node_exporter splits its own): each turns
// the latest snapshot and the collection's fixed facts into metric families.
// They read only the monitor's totals and what discovery and CDAT found at
// start-up: a scrape never reads a register.
#pragma once

#include <vector>

#include "collection.hpp"
#include "cpmu/snapshot.hpp"
#include "metric_family.hpp"

namespace cpmu::exporter {

struct ScrapeContext {
  const CollectionView& view;
  const Snapshot* snapshot;  // null before the first snapshot
  double wall_now_s;         // when the scrape began (seconds since the epoch)
};

using CollectFunction = void (*)(const ScrapeContext&, std::vector<MetricFamily>&);

struct Collector {
  const char* name;  // the collector label of cxl_scrape_collector_duration_seconds
  CollectFunction collect;
};

void collect_event_totals(const ScrapeContext& context, std::vector<MetricFamily>& out);
void collect_mem_bytes(const ScrapeContext& context, std::vector<MetricFamily>& out);
void collect_cdat(const ScrapeContext& context, std::vector<MetricFamily>& out);
void collect_link(const ScrapeContext& context, std::vector<MetricFamily>& out);
void collect_cpmu_status(const ScrapeContext& context, std::vector<MetricFamily>& out);
void collect_collection_state(const ScrapeContext& context, std::vector<MetricFamily>& out);

const std::vector<Collector>& collectors();

// Every collector's families, then the time each took.
std::vector<MetricFamily> scrape(const CollectionView& view);

// The raw total of series `i` including what earlier monitors counted, and
// whether it is exported at all (not for events the CPMU cannot count).
struct SeriesTotal {
  std::uint64_t value = 0;
  bool trusted = true;
};
std::optional<SeriesTotal> series_total(const ScrapeContext& context, std::size_t i);

}  // namespace cpmu::exporter
