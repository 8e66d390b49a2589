// Prometheus text format 0.0.4: counters are families named *_total, info
// metrics become gauges named *_info, and there is no UNIT or _created.
#include <fmt/format.h>

#include <cmath>

#include "exposition.hpp"

namespace cpmu::exporter {

std::string escape_text(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string value_text(const MetricValue& value) {
  if (value.integer) return std::to_string(*value.integer);
  if (std::isnan(value.real)) return "NaN";
  if (std::isinf(value.real)) return value.real > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value.real);
}

std::string labels_text(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first;
    out += "=\"";
    out += escape_text(labels[i].second, true);
    out += '"';
  }
  out += '}';
  return out;
}

std::string write_prometheus_text(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const MetricFamily& family : families) {
    if (family.samples.empty()) continue;
    const char* suffix = family.type == MetricType::kCounter ? "_total"
                         : family.type == MetricType::kInfo  ? "_info"
                                                             : "";
    const std::string name = family.name + suffix;
    const char* type = family.type == MetricType::kCounter ? "counter" : "gauge";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_text(family.help, false), name, type);
    for (const MetricSample& sample : family.samples) {
      out += name;
      out += labels_text(sample.labels);
      out += ' ';
      out += value_text(sample.value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace cpmu::exporter
