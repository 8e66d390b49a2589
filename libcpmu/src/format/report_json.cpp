// `cpmu report --json`: one document, type "report".
#include "cpmu/json.hpp"
#include "cpmu/recording_report.hpp"
#include "format/json_document.hpp"

namespace cpmu::json {

namespace {

using detail::Json;

Json traffic_json(const TrafficReport& traffic) {
  Json out;
  out["bytes"] = traffic.bytes;
  out["mean_bytes_per_second"] = traffic.mean_bytes_per_second;
  out["peak_bytes_per_second"] = traffic.peak_bytes_per_second;
  if (traffic.capacity_bytes_per_second) out["capacity_bytes_per_second"] = *traffic.capacity_bytes_per_second;
  if (traffic.mean_utilisation) out["mean_utilisation"] = *traffic.mean_utilisation;
  if (traffic.peak_utilisation) out["peak_utilisation"] = *traffic.peak_utilisation;
  return out;
}

}  // namespace

std::string encode_report(const RecordingReport& report) {
  Json document = detail::document_head("report");
  document["tool"] = report.header.tool;
  document["source"] = report.header.source;
  document["start_wall_time_ns"] = report.header.start_wall_time_ns;
  document["interval_ns"] = report.header.interval_ns;
  document["frames"] = report.frames;
  document["duration_ns"] = report.duration_ns;
  Json components = Json::array();
  for (const ComponentReport& c : report.components) {
    Json component;
    component["cpmu"] = c.cpmu;
    component["kind"] = detail::component_kind_spelling(c.kind);
    if (!c.memdev.empty()) component["memdev"] = c.memdev;
    Json events = Json::array();
    for (const EventTotalReport& e : c.events) {
      Json event;
      event["event"] = e.event;
      event["state"] = count_state_name(e.state);
      if (e.state != CountState::kNotSupported) event["total"] = e.total;
      event["trusted"] = e.trusted;
      events.push_back(std::move(event));
    }
    component["events"] = std::move(events);
    if (c.read) component["read"] = traffic_json(*c.read);
    if (c.write) component["write"] = traffic_json(*c.write);
    components.push_back(std::move(component));
  }
  document["components"] = std::move(components);
  return detail::pretty_document(document);
}

}  // namespace cpmu::json
