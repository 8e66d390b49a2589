// What each counted function's CDAT says it can carry: per endpoint DPA
// range (DSLBIS) and per switch port pair (SSLBIS), bandwidth in bytes per
// second and latency in seconds. Read once at start-up; a value the table
// does not give is left out, never written as 0.
#include <fmt/format.h>

#include <set>

#include "collector.hpp"

namespace cpmu::exporter {

namespace {

struct CdatFamilies {
  MetricFamily read_bandwidth{"cxl_cdat_read_bandwidth_bytes_per_second",
                              MetricType::kGauge,
                              "bytes_per_second",
                              "Read bandwidth the function's CDAT reports (DSLBIS per DPA range, SSLBIS per port "
                              "pair).",
                              {}};
  MetricFamily write_bandwidth{"cxl_cdat_write_bandwidth_bytes_per_second",
                               MetricType::kGauge,
                               "bytes_per_second",
                               "Write bandwidth the function's CDAT reports (DSLBIS per DPA range, SSLBIS per port "
                               "pair).",
                               {}};
  MetricFamily read_latency{
      "cxl_cdat_read_latency_seconds", MetricType::kGauge, "seconds", "Read latency the function's CDAT reports.", {}};
  MetricFamily write_latency{"cxl_cdat_write_latency_seconds",
                             MetricType::kGauge,
                             "seconds",
                             "Write latency the function's CDAT reports.",
                             {}};

  void add(const Labels& labels, const CdatPerf& perf) {
    auto put = [&](MetricFamily& family, const std::optional<std::uint64_t>& value, double divisor) {
      if (value) family.samples.push_back({labels, MetricValue::of_real(static_cast<double>(*value) / divisor), {}});
    };
    put(read_bandwidth, perf.read_bandwidth, 1);
    put(write_bandwidth, perf.write_bandwidth, 1);
    put(read_latency, perf.read_latency_ns, 1e9);
    put(write_latency, perf.write_latency_ns, 1e9);
  }
};

}  // namespace

void collect_cdat(const ScrapeContext& context, std::vector<MetricFamily>& out) {
  if (!context.snapshot) return;
  CdatFamilies families;
  std::set<std::string> done;
  for (const SourceStatus& status : context.snapshot->sources) {
    const std::size_t index = static_cast<std::size_t>(&status - context.snapshot->sources.data());
    const SourceExport& source = context.view.sources[index];
    if (!done.insert(source.function_address).second) continue;
    for (const CdatRangePerf& range : status.identity->cdat_ranges) {
      Labels labels = source.function_labels;
      labels.emplace_back("dpa_range", std::to_string(range.handle));
      families.add(labels, range.perf);
    }
    for (const PortPairExport& pair : source.port_pairs) {
      Labels labels = source.function_labels;
      labels.emplace_back("port_x", pair.port_x);
      labels.emplace_back("port_y", pair.port_y);
      families.add(labels, pair.perf);
    }
  }
  out.push_back(std::move(families.read_bandwidth));
  out.push_back(std::move(families.write_bandwidth));
  out.push_back(std::move(families.read_latency));
  out.push_back(std::move(families.write_latency));
}

}  // namespace cpmu::exporter
