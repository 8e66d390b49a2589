// The DOE document (`cpmu doe --json`): per function its mailboxes and the
// protocols each serves, or why they were not asked.
#include "cpmu/json.hpp"
#include "format/json_document.hpp"

namespace cpmu::json {

namespace {

using detail::Json;

Json protocols_json(const std::vector<DoeProtocol>& protocols) {
  Json out = Json::array();
  for (const DoeProtocol& p : protocols) {
    Json pj;
    pj["vendor_id"] = p.vendor_id;
    pj["type"] = p.type;
    if (auto name = doe_protocol_name(p); !name.empty()) pj["name"] = name;
    out.push_back(pj);
  }
  return out;
}

}  // namespace

std::string encode_doe(const DiscoveredMachine& machine, const std::vector<DoeFunctionReport>& reports) {
  Json functions = Json::array();
  for (const DoeFunctionReport& report : reports) {
    const DiscoveredFunction& fn = machine.functions[report.function];
    Json f;
    f["bdf"] = fn.info.address.to_string();
    f["kind"] = detail::component_kind_spelling(fn.kind);
    if (!fn.memdev.empty()) f["memdev"] = fn.memdev;
    f["mailboxes"] = Json::array();
    for (const DoeMailboxReport& m : report.mailboxes) {
      Json j;
      j["offset"] = m.offset;
      j["interrupt_support"] = m.interrupt_support;
      if (m.interrupt_support) j["interrupt_message"] = m.interrupt_message;
      j["protocols"] = protocols_json(m.protocols);
      if (m.error) j["error"] = detail::error_json(*m.error);
      f["mailboxes"].push_back(j);
    }
    if (report.kernel_protocols) f["kernel_protocols"] = protocols_json(*report.kernel_protocols);
    functions.push_back(f);
  }
  Json out = detail::document_head("doe");
  out["functions"] = functions;
  return detail::pretty_document(out);
}

}  // namespace cpmu::json
