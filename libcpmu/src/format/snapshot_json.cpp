// The snapshot document: one line holding a whole Snapshot, for recordings
// and an exporter's /json, and the decoder that turns it back into the same
// Snapshot. Decoding checks every field's type and every index, so a bad
// recording is an error naming where, never a crash.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <memory>

#include "cpmu/json.hpp"
#include "format/json_document.hpp"

namespace cpmu::json {

namespace {

using detail::Json;

// Every value of the enums a snapshot holds, for decoding their spellings.
constexpr std::array kSourceKinds = {SourceKind::kCpmu, SourceKind::kHostCpu, SourceKind::kRemote};
constexpr std::array kComponentKinds = {ComponentKind::kRootPort, ComponentKind::kSwitchUpstreamPort,
                                        ComponentKind::kSwitchDownstreamPort, ComponentKind::kEndpoint,
                                        ComponentKind::kOther};
constexpr std::array kHealths = {SourceHealth::kCounting, SourceHealth::kError, SourceHealth::kRemoved};
constexpr std::array kCountStates = {CountState::kCounted, CountState::kNotCounted, CountState::kNotSupported};
constexpr std::array kPlacements = {Placement::kFixed, Placement::kConfigurable, Placement::kFreeRunning,
                                    Placement::kMultiplexed, Placement::kNotSupported};

template <typename T>
void put(Json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

// JSON has no infinities or NaN (nlohmann would write null, which would not
// decode): such a value is left out, as a value that does not apply.
void put(Json& j, const char* key, const std::optional<double>& value) {
  if (value && std::isfinite(*value)) j[key] = *value;
}

Json cdat_perf_json(const CdatPerf& p) {
  Json j = Json::object();
  put(j, "read_latency_ns", p.read_latency_ns);
  put(j, "write_latency_ns", p.write_latency_ns);
  put(j, "read_bandwidth_bytes_per_second", p.read_bandwidth);
  put(j, "write_bandwidth_bytes_per_second", p.write_bandwidth);
  return j;
}

Json source_json(const SourceStatus& status) {
  const SourceIdentity& id = *status.identity;
  Json j;
  j["source_kind"] = source_kind_name(id.source_kind);
  if (id.source_kind != SourceKind::kHostCpu) {
    j["name"] = id.name.to_string();
    j["kind"] = detail::component_kind_spelling(id.kind);
  }
  if (!id.memdev.empty()) j["memdev"] = id.memdev;
  if (!id.kernel_device.empty()) j["kernel_device"] = id.kernel_device;
  if (!id.perf_pmu.empty()) j["perf_pmu"] = id.perf_pmu;
  if (!id.host.empty()) j["host"] = id.host;
  put(j, "cpu", id.cpu);
  put(j, "socket", id.socket);
  if (!id.upstream.empty()) j["upstream"] = id.upstream;
  put(j, "link_gt_s", id.link_gt_s);
  put(j, "link_width", id.link_width);
  Json ranges = Json::array();
  for (const CdatRangePerf& r : id.cdat_ranges) {
    Json rj{{"handle", r.handle}, {"dpa_base", r.dpa_base}, {"dpa_length", r.dpa_length},
            {"non_volatile", r.non_volatile}};
    rj["perf"] = cdat_perf_json(r.perf);
    ranges.push_back(std::move(rj));
  }
  j["cdat_ranges"] = std::move(ranges);
  Json pairs = Json::array();
  for (const CdatPortPerf& p : id.cdat_port_pairs) {
    Json pj{{"port_x", p.port_x}, {"port_y", p.port_y}};
    put(pj, "x_function", p.x_function);
    put(pj, "y_function", p.y_function);
    pj["perf"] = cdat_perf_json(p.perf);
    pairs.push_back(std::move(pj));
  }
  j["cdat_port_pairs"] = std::move(pairs);
  j["backend"] = status.backend;
  j["health"] = source_health_name(status.health);
  if (!status.error.empty()) j["error"] = status.error;
  j["sample_ns"] = status.sample_ns;
  j["interval_ns"] = status.interval_ns;
  return j;
}

Json event_json(const EventSelection& e) {
  Json j{{"vid", e.code.vid}, {"gid", e.code.gid}, {"mask", e.code.mask}, {"threshold", e.threshold},
         {"edge", e.edge},    {"invert", e.invert}};
  put(j, "hdm_decoder", e.hdm_decoder);
  put(j, "channel_rank_bank", e.channel_rank_bank);
  return j;
}

Json figures_json(const SeriesFigures& f) {
  Json j{{"state", count_state_name(f.count.state)},
         {"raw", f.count.raw},
         {"time_enabled_ns", f.count.time_enabled_ns},
         {"time_running_ns", f.count.time_running_ns},
         {"trusted", f.count.trusted}};
  if (!f.count.doubt.empty()) j["doubt"] = f.count.doubt;
  if (!f.count.note.empty()) j["note"] = f.count.note;
  put(j, "estimate", f.estimate);
  put(j, "rate", f.rate);
  put(j, "running_share", f.running_share);
  return j;
}

// Reads one document, remembering the JSON pointer of what it reads so the
// first problem names its place.
class Reader {
 public:
  std::optional<Error> error;

  bool fail(const std::string& at, std::string_view problem) {
    if (!error) error = Error(Errc::kMalformed, fmt::format("snapshot JSON: {}: {}", at.empty() ? "(top level)" : at, problem));
    return false;
  }

  const Json* field(const Json& object, const std::string& at, const char* key, bool required) {
    if (!object.is_object()) {
      fail(at, fmt::format("expected an object, found {}", object.type_name()));
      return nullptr;
    }
    const auto it = object.find(key);
    if (it == object.end()) {
      if (required) fail(at, fmt::format("missing required key '{}'", key));
      return nullptr;
    }
    return &*it;
  }

  template <typename T>
  bool unsigned_field(const Json& object, const std::string& at, const char* key, T& out, bool required = true) {
    const Json* v = field(object, at, key, required);
    if (!v) return !error;
    if (!v->is_number_unsigned()) return fail(at + "/" + key, fmt::format("expected an unsigned integer, found {}", v->type_name()));
    const auto value = v->get<std::uint64_t>();
    if (value > std::numeric_limits<T>::max()) return fail(at + "/" + key, fmt::format("{} is out of range", value));
    out = static_cast<T>(value);
    return true;
  }

  template <typename T>
  bool optional_unsigned(const Json& object, const std::string& at, const char* key, std::optional<T>& out) {
    if (!object.is_object() || !object.contains(key)) return !error;
    T value{};
    if (!unsigned_field(object, at, key, value)) return false;
    out = value;
    return true;
  }

  bool number_field(const Json& object, const std::string& at, const char* key, std::optional<double>& out) {
    const Json* v = field(object, at, key, false);
    if (!v) return !error;
    if (!v->is_number()) return fail(at + "/" + key, fmt::format("expected a number, found {}", v->type_name()));
    out = v->get<double>();
    return true;
  }

  bool bool_field(const Json& object, const std::string& at, const char* key, bool& out) {
    const Json* v = field(object, at, key, true);
    if (!v) return false;
    if (!v->is_boolean()) return fail(at + "/" + key, fmt::format("expected true or false, found {}", v->type_name()));
    out = v->get<bool>();
    return true;
  }

  bool string_field(const Json& object, const std::string& at, const char* key, std::string& out, bool required) {
    const Json* v = field(object, at, key, required);
    if (!v) return !error;
    if (!v->is_string()) return fail(at + "/" + key, fmt::format("expected a string, found {}", v->type_name()));
    out = v->get<std::string>();
    return true;
  }

  // An optional array of strings; absent is empty.
  bool strings_field(const Json& object, const std::string& at, const char* key, std::vector<std::string>& out) {
    const Json* v = field(object, at, key, false);
    if (!v) return !error;
    if (!v->is_array()) return fail(at + "/" + key, fmt::format("expected an array, found {}", v->type_name()));
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        return fail(fmt::format("{}/{}/{}", at, key, i),
                    fmt::format("expected a string, found {}", (*v)[i].type_name()));
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return true;
  }

  // An enum by its spelling: one of `values`, as `spell` writes them.
  template <typename E, std::size_t N, typename Spell>
  bool enum_field(const Json& object, const std::string& at, const char* key, E& out, const std::array<E, N>& values,
                  Spell spell) {
    std::string text;
    if (!string_field(object, at, key, text, true)) return false;
    std::string known;
    for (E value : values) {
      if (spell(value) == text) {
        out = value;
        return true;
      }
      known += (known.empty() ? "" : ", ") + std::string(spell(value));
    }
    return fail(at + "/" + key, fmt::format("unknown value '{}' (expected one of: {})", text.substr(0, 64), known));
  }

  const Json* array_field(const Json& object, const std::string& at, const char* key) {
    const Json* v = field(object, at, key, true);
    if (!v) return nullptr;
    if (!v->is_array()) {
      fail(at + "/" + key, fmt::format("expected an array, found {}", v->type_name()));
      return nullptr;
    }
    return v;
  }

  // Reads every element of the array `key` into `out` with `read(element,
  // pointer, value)`.
  template <typename T, typename Read>
  bool each(const Json& object, const std::string& at, const char* key, std::vector<T>& out, Read read) {
    const Json* list = array_field(object, at, key);
    if (!list) return false;
    for (std::size_t i = 0; i < list->size(); ++i) {
      T value{};
      if (!read((*list)[i], at + "/" + key + "/" + std::to_string(i), value)) return false;
      out.push_back(std::move(value));
    }
    return true;
  }

  bool cdat_perf(const Json& object, const std::string& at, CdatPerf& out) {
    const Json* p = field(object, at, "perf", true);
    if (!p) return false;
    const std::string here = at + "/perf";
    return optional_unsigned(*p, here, "read_latency_ns", out.read_latency_ns) &&
           optional_unsigned(*p, here, "write_latency_ns", out.write_latency_ns) &&
           optional_unsigned(*p, here, "read_bandwidth_bytes_per_second", out.read_bandwidth) &&
           optional_unsigned(*p, here, "write_bandwidth_bytes_per_second", out.write_bandwidth);
  }

  bool source(const Json& j, const std::string& at, SourceStatus& out) {
    auto id = std::make_shared<SourceIdentity>();
    if (!enum_field(j, at, "source_kind", id->source_kind, kSourceKinds,
                    source_kind_name)) {
      return false;
    }
    if (id->source_kind != SourceKind::kHostCpu) {
      std::string name;
      if (!string_field(j, at, "name", name, true)) return false;
      auto parsed = CpmuName::parse(name);
      if (!parsed) return fail(at + "/name", parsed.error().message());
      id->name = *parsed;
      if (!enum_field(j, at, "kind", id->kind,
                      kComponentKinds,
                      detail::component_kind_spelling)) {
        return false;
      }
    }
    if (!string_field(j, at, "memdev", id->memdev, false) ||
        !string_field(j, at, "kernel_device", id->kernel_device, false) ||
        !string_field(j, at, "perf_pmu", id->perf_pmu, false) || !string_field(j, at, "host", id->host, false) ||
        !optional_unsigned(j, at, "cpu", id->cpu) || !optional_unsigned(j, at, "socket", id->socket) ||
        !strings_field(j, at, "upstream", id->upstream) || !number_field(j, at, "link_gt_s", id->link_gt_s) ||
        !optional_unsigned(j, at, "link_width", id->link_width)) {
      return false;
    }
    const bool cdat =
        each(j, at, "cdat_ranges", id->cdat_ranges,
             [this](const Json& r, const std::string& here, CdatRangePerf& range) {
               return unsigned_field(r, here, "handle", range.handle) &&
                      unsigned_field(r, here, "dpa_base", range.dpa_base) &&
                      unsigned_field(r, here, "dpa_length", range.dpa_length) &&
                      bool_field(r, here, "non_volatile", range.non_volatile) && cdat_perf(r, here, range.perf);
             }) &&
        each(j, at, "cdat_port_pairs", id->cdat_port_pairs,
             [this](const Json& p, const std::string& here, CdatPortPerf& pair) {
               return unsigned_field(p, here, "port_x", pair.port_x) &&
                      unsigned_field(p, here, "port_y", pair.port_y) &&
                      optional_unsigned(p, here, "x_function", pair.x_function) &&
                      optional_unsigned(p, here, "y_function", pair.y_function) && cdat_perf(p, here, pair.perf);
             });
    if (!cdat) return false;
    out.identity = std::move(id);
    return string_field(j, at, "backend", out.backend, true) &&
           enum_field(j, at, "health", out.health, kHealths,
                      source_health_name) &&
           string_field(j, at, "error", out.error, false) && unsigned_field(j, at, "sample_ns", out.sample_ns) &&
           unsigned_field(j, at, "interval_ns", out.interval_ns);
  }

  bool figures(const Json& object, const std::string& at, const char* key, SeriesFigures& out) {
    const Json* f = field(object, at, key, true);
    if (!f) return false;
    const std::string here = at + "/" + key;
    return enum_field(*f, here, "state", out.count.state, kCountStates, count_state_name) &&
           unsigned_field(*f, here, "raw", out.count.raw) &&
           unsigned_field(*f, here, "time_enabled_ns", out.count.time_enabled_ns) &&
           unsigned_field(*f, here, "time_running_ns", out.count.time_running_ns) &&
           bool_field(*f, here, "trusted", out.count.trusted) &&
           string_field(*f, here, "doubt", out.count.doubt, false) &&
           string_field(*f, here, "note", out.count.note, false) && number_field(*f, here, "estimate", out.estimate) &&
           number_field(*f, here, "rate", out.rate) && number_field(*f, here, "running_share", out.running_share);
  }

  bool series(const Json& j, const std::string& at, std::size_t sources, SeriesValue& out) {
    auto info = std::make_shared<SeriesInfo>();
    if (!unsigned_field(j, at, "source", info->source)) return false;
    if (info->source >= sources) return fail(at + "/source", fmt::format("source {} does not exist", info->source));
    const Json* e = field(j, at, "event", true);
    if (!e) return false;
    const std::string here = at + "/event";
    EventSelection& ev = info->event;
    if (!string_field(j, at, "label", info->label, true) || !unsigned_field(*e, here, "vid", ev.code.vid) ||
        !unsigned_field(*e, here, "gid", ev.code.gid) || !unsigned_field(*e, here, "mask", ev.code.mask) ||
        !unsigned_field(*e, here, "threshold", ev.threshold) || !bool_field(*e, here, "edge", ev.edge) ||
        !bool_field(*e, here, "invert", ev.invert) || !optional_unsigned(*e, here, "hdm_decoder", ev.hdm_decoder) ||
        !optional_unsigned(*e, here, "channel_rank_bank", ev.channel_rank_bank) ||
        !enum_field(j, at, "placement", info->placement,
                    kPlacements,
                    placement_name) ||
        !string_field(j, at, "placement_reason", info->placement_reason, false)) {
      return false;
    }
    out.info = std::move(info);
    return figures(j, at, "total", out.total) && figures(j, at, "interval", out.interval) &&
           bool_field(j, at, "ended", out.ended);
  }

  bool metric(const Json& j, const std::string& at, std::size_t sources, MetricValue& out) {
    if (!unsigned_field(j, at, "source", out.source)) return false;
    if (out.source >= sources) return fail(at + "/source", fmt::format("source {} does not exist", out.source));
    return string_field(j, at, "name", out.name, true) && enum_field(j, at, "unit", out.unit, kAllUnits, unit_name) &&
           number_field(j, at, "interval_value", out.interval_value) &&
           number_field(j, at, "total_value", out.total_value) && bool_field(j, at, "trusted", out.trusted) &&
           string_field(j, at, "not_supported", out.not_supported, false);
  }

  bool snapshot(const Json& j, Snapshot& out) {
    std::string type;
    std::int64_t version = 0;
    const Json* v = field(j, "", "schema_version", true);
    if (!v) return false;
    if (!v->is_number_integer() || (version = v->get<std::int64_t>()) != kSchemaVersion) {
      return fail("/schema_version", fmt::format("unsupported schema_version {} (this cpmu reads version {})",
                                                 v->dump(), kSchemaVersion));
    }
    if (!string_field(j, "", "type", type, true)) return false;
    if (type != "snapshot") return fail("/type", fmt::format("expected a snapshot document, found type '{}'", type.substr(0, 64)));
    if (!unsigned_field(j, "", "sequence", out.sequence) || !unsigned_field(j, "", "timestamp_ns", out.timestamp_ns) ||
        !unsigned_field(j, "", "wall_time_ns", out.wall_time_ns) || !unsigned_field(j, "", "start_ns", out.start_ns) ||
        !unsigned_field(j, "", "interval_ns", out.interval_ns)) {
      return false;
    }
    if (out.start_ns > out.timestamp_ns) return fail("/start_ns", "the start is after the snapshot's time");
    // Series and metrics name their source by index: the sources come first.
    return each(j, "", "sources", out.sources,
                [this](const Json& e, const std::string& at, SourceStatus& status) { return source(e, at, status); }) &&
           each(j, "", "series", out.series,
                [this, &out](const Json& e, const std::string& at, SeriesValue& value) {
                  return series(e, at, out.sources.size(), value);
                }) &&
           each(j, "", "metrics", out.metrics,
                [this, &out](const Json& e, const std::string& at, MetricValue& value) {
                  return metric(e, at, out.sources.size(), value);
                });
  }
};

}  // namespace

std::string encode_snapshot(const Snapshot& snapshot) {
  Json j = detail::document_head("snapshot");
  j["sequence"] = snapshot.sequence;
  j["timestamp_ns"] = snapshot.timestamp_ns;
  j["wall_time_ns"] = snapshot.wall_time_ns;
  j["start_ns"] = snapshot.start_ns;
  j["interval_ns"] = snapshot.interval_ns;
  Json sources = Json::array();
  for (const SourceStatus& status : snapshot.sources) sources.push_back(source_json(status));
  j["sources"] = std::move(sources);
  Json series = Json::array();
  for (const SeriesValue& s : snapshot.series) {
    Json sj{{"source", s.info->source}, {"label", s.info->label}, {"event", event_json(s.info->event)},
            {"placement", placement_name(s.info->placement)}};
    if (!s.info->placement_reason.empty()) sj["placement_reason"] = s.info->placement_reason;
    sj["total"] = figures_json(s.total);
    sj["interval"] = figures_json(s.interval);
    sj["ended"] = s.ended;
    series.push_back(std::move(sj));
  }
  j["series"] = std::move(series);
  Json metrics = Json::array();
  for (const MetricValue& m : snapshot.metrics) {
    Json mj{{"source", m.source}, {"name", m.name}, {"unit", unit_name(m.unit)}};
    put(mj, "interval_value", m.interval_value);
    put(mj, "total_value", m.total_value);
    mj["trusted"] = m.trusted;
    if (!m.not_supported.empty()) mj["not_supported"] = m.not_supported;
    metrics.push_back(std::move(mj));
  }
  j["metrics"] = std::move(metrics);
  return detail::line_document(j);
}

Result<Snapshot> decode_snapshot(std::string_view text) {
  try {
    const Json j = Json::parse(text);
    Reader reader;
    Snapshot out;
    if (!reader.snapshot(j, out)) return std::move(*reader.error);
    return out;
  } catch (const Json::parse_error& e) {
    return Error(Errc::kMalformed, fmt::format("snapshot JSON: at byte {}: {}", e.byte, e.what()));
  } catch (const std::exception& e) {
    return Error(Errc::kMalformed, fmt::format("snapshot JSON: {}", e.what()));
  }
}

}  // namespace cpmu::json
