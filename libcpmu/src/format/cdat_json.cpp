// The CDAT document (`cpmu cdat --json`): per function where its CDAT came
// from, what it gives each DPA range and switch port pair, and the decoded
// structures themselves.
#include "cpmu/cdat.hpp"
#include "cpmu/json.hpp"
#include "format/json_document.hpp"

namespace cpmu::json {

namespace {

using detail::Json;

std::string bdf_of(const DiscoveredMachine& machine, std::size_t function) {
  return machine.functions[function].info.address.to_string();
}

Json perf_json(const CdatPerf& p) {
  Json j = Json::object();
  if (p.read_latency_ns) j["read_latency_ns"] = *p.read_latency_ns;
  if (p.write_latency_ns) j["write_latency_ns"] = *p.write_latency_ns;
  if (p.read_bandwidth) j["read_bandwidth_bytes_per_second"] = *p.read_bandwidth;
  if (p.write_bandwidth) j["write_bandwidth_bytes_per_second"] = *p.write_bandwidth;
  return j;
}

Json structures_json(const CdatTable& t) {
  Json j;
  j["length"] = t.header.length;
  j["revision"] = t.header.revision;
  j["checksum"] = t.header.checksum;
  j["sequence"] = t.header.sequence;
  j["dsmas"] = Json::array();
  for (const auto& d : t.dsmas) {
    j["dsmas"].push_back({{"offset", d.offset}, {"handle", d.handle}, {"flags", d.flags},
                          {"non_volatile", d.non_volatile()}, {"dpa_base", d.dpa_base}, {"dpa_length", d.dpa_length}});
  }
  j["dslbis"] = Json::array();
  for (const auto& d : t.dslbis) {
    Json e{{"offset", d.offset}, {"handle", d.handle}, {"flags", d.flags},
           {"data_type", static_cast<unsigned>(d.data_type)}, {"data_type_name", detail::snake_case(cdat_data_type_name(d.data_type))},
           {"base_unit", d.base_unit}, {"entries", d.entries}};
    if (d.value) e[cdat_is_latency(d.data_type) ? "value_ns" : "value_bytes_per_second"] = *d.value;
    j["dslbis"].push_back(e);
  }
  j["dsmscis"] = Json::array();
  for (const auto& d : t.dsmscis) {
    j["dsmscis"].push_back({{"offset", d.offset}, {"handle", d.handle}, {"cache_size", d.cache_size},
                            {"cache_attributes", d.cache_attributes}});
  }
  j["dsis"] = Json::array();
  for (const auto& d : t.dsis) j["dsis"].push_back({{"offset", d.offset}, {"handle", d.handle}, {"flags", d.flags}});
  j["dsemts"] = Json::array();
  for (const auto& d : t.dsemts) {
    j["dsemts"].push_back({{"offset", d.offset}, {"handle", d.handle}, {"memory_type", d.memory_type},
                           {"dpa_offset", d.dpa_offset}, {"dpa_length", d.dpa_length}});
  }
  j["sslbis"] = Json::array();
  for (const auto& s : t.sslbis) {
    Json entries = Json::array();
    for (const auto& e : s.entries) {
      Json ej{{"port_x", e.port_x}, {"port_y", e.port_y}, {"entry", e.entry}};
      if (e.value) ej[cdat_is_latency(s.data_type) ? "value_ns" : "value_bytes_per_second"] = *e.value;
      entries.push_back(ej);
    }
    j["sslbis"].push_back({{"offset", s.offset}, {"data_type", static_cast<unsigned>(s.data_type)},
                           {"data_type_name", detail::snake_case(cdat_data_type_name(s.data_type))}, {"base_unit", s.base_unit},
                           {"entries", entries}});
  }
  j["unknown"] = Json::array();
  for (const auto& u : t.unknown) {
    j["unknown"].push_back({{"offset", u.offset}, {"type", u.type}, {"length", u.length}});
  }
  return j;
}

}  // namespace

std::string encode_cdat(const DiscoveredMachine& machine, const CdatContext& context) {
  Json functions = Json::array();
  for (const FunctionCdat& f : context.functions) {
    const DiscoveredFunction& fn = machine.functions[f.function];
    Json j;
    j["bdf"] = fn.info.address.to_string();
    j["kind"] = detail::component_kind_spelling(fn.kind);
    if (!fn.memdev.empty()) j["memdev"] = fn.memdev;
    if (!f.source.empty()) j["source"] = f.source;
    if (f.error) j["error"] = detail::error_json(*f.error);
    if (f.table) {
      j["ranges"] = Json::array();
      for (const CdatRangePerf& r : f.ranges) {
        Json rj{{"handle", r.handle}, {"dpa_base", r.dpa_base}, {"dpa_length", r.dpa_length},
                {"non_volatile", r.non_volatile}};
        rj.update(perf_json(r.perf));
        j["ranges"].push_back(rj);
      }
      j["port_pairs"] = Json::array();
      for (const CdatPortPerf& p : f.port_pairs) {
        Json pj{{"port_x", p.port_x}, {"port_y", p.port_y}};
        if (p.x_function) pj["x_bdf"] = bdf_of(machine, *p.x_function);
        if (p.y_function) pj["y_bdf"] = bdf_of(machine, *p.y_function);
        pj.update(perf_json(p.perf));
        j["port_pairs"].push_back(pj);
      }
      j["table"] = structures_json(*f.table);
    }
    functions.push_back(j);
  }
  Json out = detail::document_head("cdat");
  out["functions"] = functions;
  return detail::pretty_document(out);
}

}  // namespace cpmu::json
