// The recording header document (type "recording"), line 1 of every
// recording (cpmu/recording.hpp).
#include <fmt/format.h>

#include "cpmu/json.hpp"
#include "cpmu/recording.hpp"
#include "format/json_document.hpp"

namespace cpmu::json {

namespace {

using detail::Json;

Error malformed(std::string_view where, std::string_view problem) {
  return Error(Errc::kMalformed, fmt::format("recording header: {}: {}", where, problem));
}

// A JSON value's text for a message, cut short: input may be anything.
std::string shown(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  return text;
}

bool is_machine_document(const Json& j) {
  if (!j.is_object()) return false;
  const auto type = j.find("type");
  return type != j.end() && *type == "machine";
}

}  // namespace

Result<std::string> encode_recording_header(const RecordingHeader& header) {
  Json j = detail::document_head("recording");
  j["tool"] = header.tool;
  j["start_wall_time_ns"] = header.start_wall_time_ns;
  j["interval_ns"] = header.interval_ns;
  j["source"] = header.source;
  if (!header.machine.empty()) {
    Json machine = Json::parse(header.machine, nullptr, false);
    if (!is_machine_document(machine)) {
      return Error(Errc::kInvalidArgument, "recording header: the machine given is not a machine document");
    }
    j["machine"] = std::move(machine);
  }
  return detail::line_document(j);
}

Result<RecordingHeader> decode_recording_header(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return Error(Errc::kMalformed, "not a cpmu recording: the first line is not JSON");
  if (!j.is_object()) return malformed("(top level)", fmt::format("expected an object, found {}", j.type_name()));
  const auto version = j.find("schema_version");
  if (version == j.end() || !version->is_number_integer()) {
    return malformed("/schema_version", "missing or not an integer");
  }
  const auto v = version->get<std::int64_t>();
  if (v > kSchemaVersion) {
    return Error(Errc::kUnsupported, fmt::format("the recording is schema_version {}, newer than this cpmu reads ({}); "
                                                 "read it with a newer cpmu",
                                                 v, kSchemaVersion));
  }
  if (v != kSchemaVersion) {
    return malformed("/schema_version",
                     fmt::format("unsupported schema_version {} (this cpmu reads version {})", v, kSchemaVersion));
  }
  const auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return malformed("/type", "missing or not a string");
  if (*type != "recording") {
    return Error(Errc::kMalformed, fmt::format("not a cpmu recording: the first line is a '{}' document, not the "
                                               "'recording' header a recording starts with",
                                               type->get<std::string>().substr(0, 40)));
  }
  RecordingHeader header;
  for (const auto& [key, out] :
       {std::pair<const char*, std::string*>{"tool", &header.tool}, {"source", &header.source}}) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return malformed(std::string("/") + key, "missing or not a string");
    *out = it->get<std::string>();
  }
  for (const auto& [key, out] :
       {std::pair<const char*, std::uint64_t*>{"start_wall_time_ns", &header.start_wall_time_ns},
        {"interval_ns", &header.interval_ns}}) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) {
      return malformed(std::string("/") + key,
                       it == j.end() ? "missing" : fmt::format("expected an unsigned integer, found {}", shown(*it)));
    }
    *out = it->get<std::uint64_t>();
  }
  if (header.interval_ns == 0) return malformed("/interval_ns", "must be above 0");
  if (const auto machine = j.find("machine"); machine != j.end()) {
    if (!is_machine_document(*machine)) {
      return malformed("/machine", "expected a machine document (cpmu list --json)");
    }
    header.machine = machine->dump();
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "schema_version" && key != "type" && key != "tool" && key != "source" && key != "start_wall_time_ns" &&
        key != "interval_ns" && key != "machine") {
      return malformed("/" + key.substr(0, 40), "unknown key");
    }
  }
  return header;
}

}  // namespace cpmu::json
