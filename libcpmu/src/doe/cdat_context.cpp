// CDAT attached to the topology: which functions have a table, reading each,
// and turning DSMAS/DSLBIS and SSLBIS into per-range and per-port-pair
// performance (facts §5.4).
#include "cpmu/cdat_context.hpp"

#include <algorithm>
#include <map>

#include "cpmu/config_space.hpp"
#include "cpmu/regs/pci_config.hpp"
#include "pci/ext_cap_walk.hpp"

namespace cpmu {
namespace {

namespace sslbis = regs::cdat::sslbis;

// Puts one normalised value where its data type says. Specific (read or
// write) values win over "access" values whatever their order in the table.
void apply(CdatPerf& perf, CdatDataType type, std::optional<std::uint64_t> value, bool specific_pass) {
  if (!value) return;
  switch (type) {
    case CdatDataType::kAccessLatency:
      if (!specific_pass) perf.read_latency_ns = perf.write_latency_ns = value;
      return;
    case CdatDataType::kAccessBandwidth:
      if (!specific_pass) perf.read_bandwidth = perf.write_bandwidth = value;
      return;
    case CdatDataType::kReadLatency:
      if (specific_pass) perf.read_latency_ns = value;
      return;
    case CdatDataType::kWriteLatency:
      if (specific_pass) perf.write_latency_ns = value;
      return;
    case CdatDataType::kReadBandwidth:
      if (specific_pass) perf.read_bandwidth = value;
      return;
    case CdatDataType::kWriteBandwidth:
      if (specific_pass) perf.write_bandwidth = value;
      return;
  }
}

// The Port Number of a downstream port's Link Capabilities, the id SSLBIS
// uses for it.
std::optional<unsigned> port_number(Platform& platform, const PciAddress& address) {
  auto bytes = platform.read_config(address, true);
  if (!bytes) return std::nullopt;
  const ConfigSpace config(*bytes);
  for (const auto& cap : detail::walk_capabilities(config).capabilities) {
    if (cap.id != regs::pci::cap_id::kPcie) continue;
    auto link = config.read32(cap.offset + regs::pci::pcie::kLinkCap);
    if (!link) return std::nullopt;
    return static_cast<unsigned>(regs::pci::pcie::kLinkPortNumber.get(*link));
  }
  return std::nullopt;
}

std::optional<std::size_t> resolve_port(std::uint16_t id, std::size_t upstream,
                                        const std::map<unsigned, std::size_t>& downstream) {
  if (id == sslbis::kUpstreamPort) return upstream;
  if (id == sslbis::kAnyPort) return std::nullopt;
  auto it = downstream.find(id);
  if (it == downstream.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::vector<CdatRangePerf> cdat_range_perf(const CdatTable& table) {
  std::vector<CdatRangePerf> ranges;
  for (const CdatDsmas& d : table.dsmas) {
    CdatRangePerf range{d.handle, d.dpa_base, d.dpa_length, d.non_volatile(), {}};
    for (bool specific_pass : {false, true}) {
      for (const CdatDslbis& l : table.dslbis) {
        if (l.handle == d.handle && l.describes_memory()) apply(range.perf, l.data_type, l.value, specific_pass);
      }
    }
    ranges.push_back(range);
  }
  return ranges;
}

std::vector<CdatPortPerf> cdat_port_perf(const CdatTable& table) {
  std::vector<CdatPortPerf> pairs;
  auto pair_of = [&pairs](std::uint16_t x, std::uint16_t y) -> CdatPortPerf& {
    auto it = std::find_if(pairs.begin(), pairs.end(), [&](const CdatPortPerf& p) {
      return p.port_x == x && p.port_y == y;
    });
    if (it != pairs.end()) return *it;
    pairs.push_back(CdatPortPerf{x, y, std::nullopt, std::nullopt, {}});
    return pairs.back();
  };
  for (bool specific_pass : {false, true}) {
    for (const CdatSslbis& s : table.sslbis) {
      for (const CdatSslbisEntry& e : s.entries) apply(pair_of(e.port_x, e.port_y).perf, s.data_type, e.value,
                                                       specific_pass);
    }
  }
  return pairs;
}

const FunctionCdat* CdatContext::find(std::size_t function) const {
  for (const FunctionCdat& f : functions) {
    if (f.function == function) return &f;
  }
  return nullptr;
}

bool has_cdat_role(const DiscoveredFunction& function) {
  return !function.doe_mailboxes.empty() &&
         (function.kind == ComponentKind::kEndpoint || function.kind == ComponentKind::kSwitchUpstreamPort);
}

CdatContext read_cdat_context(Platform& platform, const DiscoveredMachine& machine, const Topology& topology,
                              const CdatReadOptions& options, const std::optional<std::vector<std::size_t>>& only) {
  CdatContext context;
  for (std::size_t i = 0; i < machine.functions.size(); ++i) {
    const DiscoveredFunction& fn = machine.functions[i];
    const bool wanted = only ? std::find(only->begin(), only->end(), i) != only->end() : has_cdat_role(fn);
    if (!wanted) continue;

    FunctionCdat out;
    out.function = i;
    std::vector<unsigned> offsets;
    for (const auto& mailbox : fn.doe_mailboxes) offsets.push_back(mailbox.offset);
    const bool upstream = fn.kind == ComponentKind::kSwitchUpstreamPort;
    const std::string& kernel_object = upstream ? fn.cxl_port : fn.cxl_endpoint;
    auto raw = read_function_cdat(platform, fn.info, offsets, kernel_object, options);
    if (!raw) {
      out.error = raw.error();
      context.functions.push_back(std::move(out));
      continue;
    }
    out.source = raw->source;
    out.raw = raw->bytes;
    auto table = parse_cdat(raw->bytes);
    if (!table) {
      out.error = table.error().context(fn.info.address.to_string() + " (" + raw->source + ")");
      context.functions.push_back(std::move(out));
      continue;
    }
    out.ranges = cdat_range_perf(*table);
    out.port_pairs = cdat_port_perf(*table);
    if (!out.port_pairs.empty() && i < topology.children.size()) {
      std::map<unsigned, std::size_t> downstream;
      for (std::size_t child : topology.children[i]) {
        if (machine.functions[child].kind != ComponentKind::kSwitchDownstreamPort) continue;
        if (auto number = port_number(platform, machine.functions[child].info.address)) downstream[*number] = child;
      }
      for (CdatPortPerf& pair : out.port_pairs) {
        pair.x_function = resolve_port(pair.port_x, i, downstream);
        pair.y_function = resolve_port(pair.port_y, i, downstream);
      }
    }
    out.table = std::move(*table);
    context.functions.push_back(std::move(out));
  }
  return context;
}

}  // namespace cpmu
