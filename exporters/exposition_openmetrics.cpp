// OpenMetrics 1.0.0: TYPE, UNIT and HELP per family, counters with _total and
// _created samples, info families with _info samples, and # EOF at the end.
#include <fmt/format.h>

#include "exposition.hpp"

namespace cpmu::exporter {

std::string write_openmetrics(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const MetricFamily& family : families) {
    if (family.samples.empty()) continue;
    const char* type = family.type == MetricType::kCounter ? "counter"
                       : family.type == MetricType::kInfo  ? "info"
                                                           : "gauge";
    out += fmt::format("# TYPE {} {}\n", family.name, type);
    if (!family.unit.empty()) out += fmt::format("# UNIT {} {}\n", family.name, family.unit);
    out += fmt::format("# HELP {} {}\n", family.name, escape_text(family.help, true));
    for (const MetricSample& sample : family.samples) {
      const std::string labels = labels_text(sample.labels);
      switch (family.type) {
        case MetricType::kCounter:
          out += fmt::format("{}_total{} {}\n", family.name, labels, value_text(sample.value));
          if (sample.created) {
            out += fmt::format("{}_created{} {}\n", family.name, labels,
                               value_text(MetricValue::of_real(*sample.created)));
          }
          break;
        case MetricType::kInfo:
          out += fmt::format("{}_info{} {}\n", family.name, labels, value_text(sample.value));
          break;
        case MetricType::kGauge: out += fmt::format("{}{} {}\n", family.name, labels, value_text(sample.value)); break;
      }
    }
  }
  out += "# EOF\n";
  return out;
}

}  // namespace cpmu::exporter
