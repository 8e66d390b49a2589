// The events document (`cpmu events --json`): per CPMU, the catalogue's
// events and aggregates its registers can count, the bits nothing names and,
// when asked, the metrics it can compute.
#include "cpmu/countable_capabilities.hpp"
#include "cpmu/cpmu_name.hpp"
#include "cpmu/event_naming.hpp"
#include "cpmu/json.hpp"
#include "format/json_document.hpp"

namespace cpmu::json {

namespace {

using detail::Json;

// "events" and (with metrics) "metrics": the entries a CPMU, or the whole
// catalogue, can count.
void add_countable(Json& j, const EventCatalogue::Countable& countable, bool metrics) {
  Json events = Json::array();
  for (const EventCatalogue::CountableEvent& entry : countable.events) {
    Json e;
    e["name"] = entry.event->name;
    e["kind"] = entry.event->kind == EventKind::kAggregate ? "aggregate" : "event";
    e["vid"] = entry.event->code.vid;
    e["gid"] = entry.event->code.gid;
    e["mask"] = entry.event->code.mask;
    e["unit"] = unit_name(entry.event->unit);
    e["fixed_only"] = entry.how.fixed_only();
    e["description"] = entry.event->description;
    events.push_back(std::move(e));
  }
  j["events"] = std::move(events);
  if (!metrics) return;
  Json list = Json::array();
  for (const EventCatalogue::CountableMetric& m : countable.metrics) {
    list.push_back({{"name", m.metric->name},
                    {"unit", unit_name(m.metric->unit)},
                    {"formula", m.metric->formula.text()},
                    {"fixed_only", m.how.fixed_only()},
                    {"description", m.metric->description}});
  }
  j["metrics"] = std::move(list);
}

Json cpmu_events_json(const EventCatalogue& catalogue, const EventsDocument::Entry& s, bool metrics) {
  Json j;
  j["cpmu"] = CpmuName{s.function->info.address, s.cpmu->instance}.to_string();
  j["bdf"] = s.function->info.address.to_string();
  j["instance"] = s.cpmu->instance;
  j["kind"] = detail::component_kind_spelling(s.function->kind);
  if (!s.cpmu->capabilities) {
    j["capabilities_unknown"] = s.cpmu->capabilities_unknown;
    return j;
  }
  const CpmuEventCapabilities countable_caps = countable_capabilities(*s.cpmu->capabilities);
  add_countable(j, catalogue.countable(countable_caps), metrics);
  Json unnamed = Json::array();
  for (const EventCode& code : unnamed_codes(catalogue, countable_caps)) {
    unnamed.push_back({{"vid", code.vid}, {"gid", code.gid}, {"mask", code.mask}});
  }
  j["unnamed"] = std::move(unnamed);
  return j;
}

}  // namespace

std::string encode_events(const EventsDocument& document) {
  Json out = detail::document_head("events");
  Json cpmus = Json::array();
  for (const EventsDocument::Entry& entry : document.cpmus) {
    cpmus.push_back(cpmu_events_json(*document.catalogue, entry, document.metrics));
  }
  out["cpmus"] = std::move(cpmus);
  return detail::pretty_document(out);
}

std::string encode_catalogue(const EventCatalogue::Countable& entries, const std::vector<Error>& issues) {
  Json out = detail::document_head("catalogue");
  add_countable(out, entries, true);
  Json problems = Json::array();
  for (const Error& issue : issues) problems.push_back(issue.message());
  out["issues"] = std::move(problems);
  return detail::pretty_document(out);
}

}  // namespace cpmu::json
