#include "collection_config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>

#include "config_file.hpp"
#include "cpmu/selector.hpp"

namespace cpmu::exporter {

namespace {

constexpr auto kMinInterval = std::chrono::milliseconds(10);
constexpr auto kMaxInterval = std::chrono::hours(1);
constexpr ComponentKind kKinds[] = {ComponentKind::kRootPort, ComponentKind::kSwitchUpstreamPort,
                                    ComponentKind::kSwitchDownstreamPort, ComponentKind::kEndpoint,
                                    ComponentKind::kOther};

Error config_error(std::string_view name, const YAML::Node& node, const std::string& what) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return Error(Errc::kInvalidArgument, fmt::format("{}: {}", name, what));
  return Error(Errc::kInvalidArgument, fmt::format("{}:{}:{}: {}", name, mark.line + 1, mark.column + 1, what));
}

Result<std::vector<std::string>> string_list(std::string_view name, const YAML::Node& node, std::string_view key) {
  if (!node.IsSequence()) return config_error(name, node, fmt::format("'{}' must be a list of strings", key));
  std::vector<std::string> out;
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return config_error(name, item, fmt::format("'{}' must be a list of strings", key));
    out.push_back(item.as<std::string>());
  }
  return out;
}

Result<CollectionConfig> parse_document(const YAML::Node& root, std::string_view name) {
  CollectionConfig config = default_collection_config();
  if (root.IsNull()) return config;
  if (!root.IsMap()) return config_error(name, root, "expected a mapping with interval, cpmus and events");
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "interval") {
      if (!value.IsScalar()) return config_error(name, value, "'interval' must be a duration such as 1s");
      auto interval = parse_duration(value.as<std::string>());
      if (!interval) return config_error(name, value, "interval: " + interval.error().message());
      config.interval = *interval;
    } else if (key == "cpmus") {
      auto list = string_list(name, value, key);
      if (!list) return list.error();
      config.cpmus = std::move(*list);
    } else if (key == "events") {
      if (!value.IsMap()) return config_error(name, value, "'events' must map component kinds to event lists");
      for (const auto& kind_entry : value) {
        const std::string kind_name = kind_entry.first.as<std::string>();
        const auto kind = parse_component_kind(kind_name);
        if (!kind) {
          return config_error(name, kind_entry.first,
                              fmt::format("unknown component kind '{}' (root-port, upstream-port, downstream-port, "
                                          "endpoint, other)",
                                          kind_name));
        }
        auto list = string_list(name, kind_entry.second, kind_name);
        if (!list) return list.error();
        config.events[*kind] = std::move(*list);
      }
    } else {
      return config_error(name, entry.first, fmt::format("unknown key '{}' (interval, cpmus, events)", key));
    }
  }
  return config;
}

}  // namespace

const std::vector<std::string>& CollectionConfig::events_for(ComponentKind kind) const { return events.at(kind); }

CollectionConfig default_collection_config() {
  CollectionConfig config;
  // Four events: what a CPMU with a fixed clock counter and three
  // configurable ones counts without multiplexing.
  const std::vector<std::string> defaults = {"s2m_drs_memdata", "m2s_rwd_memwr_all", "m2s_req_memrd", "clock_ticks"};
  for (ComponentKind kind : kKinds) config.events[kind] = defaults;
  return config;
}

Result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  struct Suffix {
    std::string_view text;
    double seconds;
  };
  constexpr Suffix kSuffixes[] = {{"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}};
  double scale = 1;
  std::string_view number = text;
  for (const Suffix& s : kSuffixes) {
    if (text.size() > s.text.size() && text.ends_with(s.text)) {
      number = text.substr(0, text.size() - s.text.size());
      scale = s.seconds;
      break;
    }
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value) || value <= 0) {
    return Error(Errc::kInvalidArgument, fmt::format("'{}' is not a duration (500ms, 2s, 1m, or seconds)", text));
  }
  const double seconds = value * scale;
  const std::chrono::duration<double> limit_min = kMinInterval, limit_max = kMaxInterval;
  if (seconds < limit_min.count() || seconds > limit_max.count()) {
    return Error(Errc::kInvalidArgument, fmt::format("'{}' is outside 10ms .. 1h", text));
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
}

Result<CollectionConfig> parse_collection_config(std::string_view text, std::string_view name) {
  // yaml-cpp reports problems by exception; none leaves this function.
  try {
    return parse_document(YAML::Load(std::string(text)), name);
  } catch (const YAML::Exception& e) {
    return Error(Errc::kMalformed, fmt::format("{}:{}:{}: {}", name, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

Result<CollectionConfig> load_collection_config(const std::string& path) {
  auto text = read_config_file(path, "the collection file");
  if (!text) return text.error();
  return parse_collection_config(*text, path);
}

}  // namespace cpmu::exporter
