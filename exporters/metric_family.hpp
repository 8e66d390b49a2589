// What a scrape produces before it is written out: metric families in the
// one model both exposition formats (Prometheus text 0.0.4, OpenMetrics
// 1.0.0) are written from, so the two can never disagree on what is there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collection.hpp"

namespace cpmu::exporter {

enum class MetricType { kCounter, kGauge, kInfo };

struct MetricValue {
  // Counts are written as exact integers (a double loses them past 2^53).
  std::optional<std::uint64_t> integer;
  double real = 0;
  static MetricValue of(std::uint64_t v) { return {v, 0}; }
  static MetricValue of_real(double v) { return {std::nullopt, v}; }
};

struct MetricSample {
  Labels labels;
  MetricValue value;
  std::optional<double> created;  // counters: seconds since the epoch (OpenMetrics _created)
};

struct MetricFamily {
  // The family name: without _total (counters) or _info (info), which the
  // formats add; with the unit as a suffix when there is one.
  std::string name;
  MetricType type = MetricType::kGauge;
  std::string unit;  // "bytes", "seconds", ... or empty
  std::string help;
  std::vector<MetricSample> samples;
};

}  // namespace cpmu::exporter
