// The machine document (`cpmu list --json`): host bridges, functions with
// their capabilities, DVSECs, register blocks, mailboxes and CPMUs.
#include "cpmu/backend_choice.hpp"
#include "cpmu/event_naming.hpp"
#include "cpmu/json.hpp"
#include "format/json_document.hpp"

namespace cpmu::json {

namespace {

using detail::Json;

Json capabilities_json(const CpmuCapabilities& caps, const EventCatalogue* catalogue) {
  Json j;
  j["raw"] = caps.raw;
  j["counters"] = caps.counter_count;
  j["counter_width"] = caps.counter_width;
  j["event_capability_count"] = caps.event_capability_count;
  j["filters"] = {{"hdm_decoder", caps.hdm_filter()}, {"channel_rank_bank", caps.channel_rank_bank_filter()}};
  j["interrupt"] = caps.interrupt;
  j["interrupt_message"] = caps.interrupt_message;
  j["freeze"] = caps.freeze;
  j["writable_when_frozen"] = caps.writable_when_frozen;
  j["version"] = caps.version;
  Json event_caps = Json::array();
  for (std::size_t i = 0; i < caps.event_capabilities.size(); ++i) {
    const auto& e = caps.event_capabilities[i];
    Json cap = {{"index", i}, {"vendor_id", e.vendor_id}, {"group_id", e.group_id},
                        {"supported_events", e.supported_events}};
    if (auto title = group_title(catalogue, e.vendor_id, e.group_id); !title.empty()) cap["group_name"] = title;
    if (auto names = event_names(catalogue, e.vendor_id, e.group_id, e.supported_events); !names.empty()) {
      cap["event_names"] = names;
    }
    event_caps.push_back(std::move(cap));
  }
  j["event_capabilities"] = std::move(event_caps);
  Json counters = Json::array();
  for (std::size_t n = 0; n < caps.counters.size(); ++n) {
    const auto& c = caps.counters[n];
    Json counter = {{"index", n}, {"type", detail::snake_case(counter_type_name(c.type))}};
    if (c.type == CounterType::kFixed || c.type == CounterType::kFreeRunning) {
      counter["events"] = c.events;
      counter["event_group_index"] = c.event_group_index;
    }
    counters.push_back(std::move(counter));
  }
  j["counter_table"] = std::move(counters);
  return j;
}

Json cpmu_json(const Cpmu& cpmu, const EventCatalogue* catalogue) {
  Json j;
  j["name"] = "cpmu" + std::to_string(cpmu.instance);
  j["instance"] = cpmu.instance;
  j["locator_entry"] = cpmu.block.locator_entry;
  j["bir"] = cpmu.block.bir;
  j["offset"] = cpmu.block.offset;
  if (!cpmu.kernel_device.empty()) j["kernel_device"] = cpmu.kernel_device;
  if (!cpmu.perf_pmu.empty()) j["perf_pmu"] = cpmu.perf_pmu;
  j["owner"] = cpmu_owner_name(cpmu.owner.kind);
  if (cpmu.owner.pid) j["owner_pid"] = *cpmu.owner.pid;
  if (!cpmu.owner.lock_file.empty()) j["lock_file"] = cpmu.owner.lock_file;
  const BackendDecision backend = decide_backend(cpmu);
  j["backend"] = backend.backend.empty() ? "none" : backend.backend;
  j["backend_reason"] = backend.reason;
  if (cpmu.capabilities) {
    j["capabilities"] = capabilities_json(*cpmu.capabilities, catalogue);
  } else {
    j["capabilities_unknown"] = cpmu.capabilities_unknown;
  }
  return j;
}

Json function_json(const MachineDocument& view, std::size_t index) {
  const DiscoveredFunction& fn = view.machine->functions[index];
  const Topology& t = *view.topology;
  Json j;
  j["bdf"] = fn.info.address.to_string();
  j["host_bridge"] = t.host_bridges[t.host_bridge_of[index]].name();
  if (t.parent[index]) j["parent"] = view.machine->functions[*t.parent[index]].info.address.to_string();
  j["kind"] = detail::component_kind_spelling(fn.kind);
  j["vendor_id"] = fn.info.vendor_id;
  j["device_id"] = fn.info.device_id;
  j["class_code"] = fn.info.class_code;
  j["revision"] = fn.info.revision;
  if (!fn.info.driver.empty()) j["driver"] = fn.info.driver;
  j["responding"] = fn.responding;
  j["config_size"] = fn.config_size;
  j["cxl"] = fn.is_cxl();
  j["memory_device"] = fn.memory_device;
  if (fn.pcie_port_type) j["pcie_port_type"] = *fn.pcie_port_type;
  if (fn.link) {
    Json link;
    if (auto s = link_speed_gt_s(fn.link->speed)) link["speed_gt_s"] = *s;
    link["width"] = fn.link->width;
    if (auto s = link_speed_gt_s(fn.link->max_speed)) link["max_speed_gt_s"] = *s;
    link["max_width"] = fn.link->max_width;
    j["link"] = std::move(link);
  }
  if (fn.serial_number) j["serial_number"] = *fn.serial_number;
  if (fn.buses) {
    j["secondary_bus"] = fn.buses->secondary;
    j["subordinate_bus"] = fn.buses->subordinate;
  }
  if (!fn.memdev.empty()) j["memdev"] = fn.memdev;
  if (!fn.cxl_port.empty()) j["cxl_port"] = fn.cxl_port;
  if (!fn.cxl_endpoint.empty()) j["cxl_endpoint"] = fn.cxl_endpoint;
  if (!fn.cxl_dport.empty()) j["cxl_dport"] = fn.cxl_dport;
  Json caps = Json::array();
  for (const auto& c : fn.extended_capabilities) caps.push_back({{"offset", c.offset}, {"id", c.id}, {"version", c.version}});
  j["extended_capabilities"] = std::move(caps);
  Json dvsecs = Json::array();
  for (const auto& d : fn.dvsecs) {
    Json dj = {{"offset", d.offset}, {"vendor_id", d.vendor_id}, {"id", d.id}, {"revision", d.revision},
                       {"length", d.length}};
    if (d.is_cxl() && !cxl_dvsec_name(d.id).empty()) dj["name"] = cxl_dvsec_name(d.id);
    dvsecs.push_back(std::move(dj));
  }
  j["dvsecs"] = std::move(dvsecs);
  Json blocks = Json::array();
  for (const auto& b : fn.register_blocks) {
    Json bj = {{"locator_entry", b.locator_entry}, {"bir", b.bir}, {"block_id", b.block_id}};
    if (!register_block_name(b.block_id).empty()) bj["name"] = detail::snake_case(register_block_name(b.block_id));
    bj["offset"] = b.offset;
    if (b.bar_size) bj["bar_size"] = *b.bar_size;
    blocks.push_back(std::move(bj));
  }
  j["register_blocks"] = std::move(blocks);
  Json does = Json::array();
  for (const auto& d : fn.doe_mailboxes) {
    does.push_back({{"offset", d.offset}, {"capabilities", d.capabilities}, {"interrupt_support", d.interrupt_support},
                    {"interrupt_message", d.interrupt_message}});
  }
  j["doe_mailboxes"] = std::move(does);
  Json cpmus = Json::array();
  for (const auto& c : fn.cpmus) cpmus.push_back(cpmu_json(c, view.catalogue));
  j["cpmus"] = std::move(cpmus);
  j["problems"] = detail::errors_json(fn.problems);
  return j;
}

}  // namespace

std::string encode_machine(const MachineDocument& view) {
  const Topology& t = *view.topology;
  Json root = detail::document_head("machine");
  root["backend"] = view.machine->backend;
  root["privileged"] = !view.machine->config_access_denied;
  std::vector<bool> bridge_used(t.host_bridges.size(), false);
  Json functions = Json::array();
  for (std::size_t i = 0; i < view.machine->functions.size(); ++i) {
    if (!view.selected.empty() && !view.selected[i]) continue;
    bridge_used[t.host_bridge_of[i]] = true;
    functions.push_back(function_json(view, i));
  }
  Json bridges = Json::array();
  for (std::size_t h = 0; h < t.host_bridges.size(); ++h) {
    if (!bridge_used[h]) continue;
    const auto& b = t.host_bridges[h];
    Json bj = {{"name", b.name()}, {"domain", b.domain}, {"root_bus", b.root_bus}};
    if (!b.cxl_port.empty()) bj["cxl_port"] = b.cxl_port;
    bridges.push_back(std::move(bj));
  }
  root["host_bridges"] = std::move(bridges);
  root["functions"] = std::move(functions);
  root["perf_pmus"] = view.perf_pmus;
  root["problems"] = detail::errors_json(view.machine->problems);
  return detail::pretty_document(root);
}

}  // namespace cpmu::json
