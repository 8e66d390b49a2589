// Writing metric families: Prometheus text format 0.0.4 and OpenMetrics
// 1.0.0, and choosing between them from a request's Accept header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metric_family.hpp"

namespace cpmu::exporter {

enum class ExpositionFormat { kPrometheusText, kOpenMetrics };

std::string_view content_type(ExpositionFormat format);

// The format an Accept header prefers: the offered media type with the
// highest q-value (ties: OpenMetrics); text 0.0.4 when the header is absent,
// malformed or accepts neither.
ExpositionFormat negotiate_format(std::string_view accept);

// Whether an Accept-Encoding header accepts gzip with a q-value above 0.
bool accepts_gzip(std::string_view accept_encoding);

std::string write_prometheus_text(const std::vector<MetricFamily>& families);
std::string write_openmetrics(const std::vector<MetricFamily>& families);

// Shared by both writers: a label value or HELP text escaped (\\, \n, and
// \" where `quote`), and a sample's value.
std::string escape_text(std::string_view text, bool quote);
std::string value_text(const MetricValue& value);
std::string labels_text(const Labels& labels);

}  // namespace cpmu::exporter
