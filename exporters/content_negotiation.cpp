// Accept and Accept-Encoding: comma-separated media ranges with parameters,
// q-values from 0 to 1 (RFC 9110 §12.4.2). Anything malformed counts as not
// offered, so a broken header never fails a scrape: it gets text 0.0.4.
#include <charconv>
#include <optional>
#include <vector>

#include "exposition.hpp"

namespace cpmu::exporter {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

struct MediaRange {
  std::string type;                                         // lower case: "application/openmetrics-text", "*/*"
  std::vector<std::pair<std::string, std::string>> params;  // q removed
  double q = 1;
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = s.find(sep);
    out.push_back(trim(s.substr(0, at)));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

std::optional<double> parse_q(std::string_view text) {
  double q = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), q);
  if (ec != std::errc() || end != text.data() + text.size() || q < 0 || q > 1) return std::nullopt;
  return q;
}

std::vector<MediaRange> parse_ranges(std::string_view header) {
  std::vector<MediaRange> out;
  for (std::string_view item : split(header, ',')) {
    if (item.empty()) continue;
    const std::vector<std::string_view> parts = split(item, ';');
    MediaRange range;
    range.type = lower(parts[0]);
    bool ok = !range.type.empty();
    for (std::size_t i = 1; i < parts.size() && ok; ++i) {
      const auto eq = parts[i].find('=');
      if (eq == std::string_view::npos) {
        ok = false;
        break;
      }
      const std::string key = lower(trim(parts[i].substr(0, eq)));
      std::string_view value = trim(parts[i].substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      if (key == "q") {
        const auto q = parse_q(value);
        ok = q.has_value();
        range.q = q.value_or(0);
      } else {
        range.params.emplace_back(key, std::string(value));
      }
    }
    if (ok) out.push_back(std::move(range));
  }
  return out;
}

std::string param(const MediaRange& range, std::string_view key) {
  for (const auto& [k, v] : range.params) {
    if (k == key) return v;
  }
  return {};
}

}  // namespace

std::string_view content_type(ExpositionFormat format) {
  return format == ExpositionFormat::kOpenMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                                  : "text/plain; version=0.0.4; charset=utf-8";
}

ExpositionFormat negotiate_format(std::string_view accept) {
  double open_metrics = -1, text = -1;
  for (const MediaRange& range : parse_ranges(accept)) {
    if (range.q <= 0) continue;
    const std::string version = param(range, "version");
    if (range.type == "application/openmetrics-text" && (version.empty() || version == "1.0.0")) {
      open_metrics = std::max(open_metrics, range.q);
    } else if ((range.type == "text/plain" && (version.empty() || version == "0.0.4")) || range.type == "*/*" ||
               range.type == "text/*") {
      text = std::max(text, range.q);
    }
  }
  return open_metrics >= 0 && open_metrics >= text ? ExpositionFormat::kOpenMetrics : ExpositionFormat::kPrometheusText;
}

bool accepts_gzip(std::string_view accept_encoding) {
  for (const MediaRange& range : parse_ranges(accept_encoding)) {
    if (range.type == "gzip" && range.q > 0) return true;
  }
  return false;
}

}  // namespace cpmu::exporter
