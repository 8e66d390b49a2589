// Topology JSON schema (docs/topology-format.md): one reader per object.
#include "cxlsim/topology.hpp"

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "cpmu/regs/cdat.hpp"
#include "cpmu/regs/cxl_dvsec.hpp"
#include "embedded_topology.hpp"
#include "json_reader.hpp"

namespace cpmu::sim {
namespace {

using detail::choice;
using detail::fail;
using detail::JsonObject;
using nlohmann::json;

constexpr std::uint64_t kNsPerMs = 1'000'000;
constexpr std::uint64_t kHzPerMhz = 1'000'000;
constexpr std::uint64_t kPsPerNs = 1'000;
constexpr std::uint64_t kDefaultClockMhz = 1'000;
constexpr std::uint64_t kMaxDurationMs = kMaxPeriodNs / kNsPerMs;
constexpr std::size_t kMaxTrafficEntries = 1024;   // per list: phases, bursts, extra events
constexpr std::size_t kMaxHostBridges = 256;
constexpr std::size_t kMaxDevicesPerBus = 32;       // root ports per host bridge, downstream ports per switch
constexpr std::uint64_t kMaxPerfValue = 1'000'000'000;   // ns or MB/s: far beyond any device
// QEMU's defaults (facts §6.3): what a range or switch gets when the file is silent.
constexpr MemoryRangeSpec kQemuRange{0, false, 150, 250, 16'000, 16'000};
constexpr SslbisSpec kQemuSslbis{150, 16'000};

std::string at_index(const std::string& pointer, std::size_t i) { return detail::child_pointer(pointer, i); }

std::uint64_t clock_hz(const JsonObject& o) {
  return o.optional_unsigned("clock_mhz", 1, kMaxClockHz / kHzPerMhz, kDefaultClockMhz) * kHzPerMhz;
}

PciIds read_ids(const JsonObject& o, std::uint16_t device_id, std::uint8_t revision) {
  PciIds ids;
  ids.vendor_id = static_cast<std::uint16_t>(o.optional_unsigned("vendor_id", 0, 0xffff, kSimVendorId));
  ids.device_id = static_cast<std::uint16_t>(o.optional_unsigned("device_id", 0, 0xffff, device_id));
  ids.revision = static_cast<std::uint8_t>(o.optional_unsigned("revision", 0, 0xff, revision));
  return ids;
}

LinkSpec read_link(const JsonObject& parent) {
  JsonObject o(parent.at("link"), parent.pointer_of("link"), {"speed_gts", "width"});
  LinkSpec link;
  const double gts = o.required_number("speed_gts");
  const std::optional<unsigned> code = link_speed_code(gts);
  if (!code) fail(o.pointer_of("speed_gts"), fmt::format("must be 2.5, 5, 8, 16, 32 or 64; got {}", gts));
  link.speed_code = *code;
  link.width = static_cast<unsigned>(o.required_unsigned("width", 1, 32));
  if (!std::has_single_bit(link.width) && link.width != 12) {
    fail(o.pointer_of("width"), fmt::format("must be 1, 2, 4, 8, 12, 16 or 32; got {}", link.width));
  }
  return link;
}

EventCapSpec read_event_cap(const json& value, const std::string& pointer) {
  JsonObject o(value, pointer, {"vid", "gid", "mask"});
  return EventCapSpec{static_cast<std::uint16_t>(o.required_unsigned("vid", 0, 0xffff)),
                      static_cast<std::uint16_t>(o.required_unsigned("gid", 0, 0xffff)),
                      static_cast<std::uint32_t>(o.required_unsigned("mask", 1, 0xffff'ffff))};
}

CounterSpec read_counter(const json& value, const std::string& pointer, const std::vector<EventCapSpec>& caps) {
  JsonObject o(value, pointer, {"kind", "cap", "mask"});
  CounterSpec counter{};
  counter.kind = choice<CounterKind>(o.at("kind"), o.pointer_of("kind"),
                                     {{"fixed", CounterKind::kFixed},
                                      {"configurable", CounterKind::kConfigurable},
                                      {"free_running", CounterKind::kFreeRunning}});
  if (counter.kind == CounterKind::kConfigurable) {
    for (std::string_view key : {"cap", "mask"}) {
      if (o.has(key)) fail(o.pointer_of(key), "only fixed and free_running counters have a hard-wired cap and mask");
    }
    return counter;
  }
  counter.event_cap_index = static_cast<unsigned>(o.required_unsigned("cap", 0, regs::cpmu::kMaxEventCaps - 1));
  if (counter.event_cap_index >= caps.size()) {
    fail(o.pointer_of("cap"), fmt::format("names event capability {}, but this CPMU has {} (0..{})",
                                          counter.event_cap_index, caps.size(), caps.size() - 1));
  }
  counter.events_mask = static_cast<std::uint32_t>(o.required_unsigned("mask", 1, 0xffff'ffff));
  const std::uint32_t supported = caps[counter.event_cap_index].mask;
  if ((counter.events_mask & ~supported) != 0) {
    fail(o.pointer_of("mask"), fmt::format("{:#x} has events that event capability {} does not offer ({:#x})",
                                           counter.events_mask, counter.event_cap_index, supported));
  }
  return counter;
}

CpmuSpec read_cpmu(const json& value, const std::string& pointer) {
  JsonObject o(value, pointer,
               {"width", "counters", "event_caps", "filters", "interrupt", "msi", "freeze", "writable_when_frozen",
                "version"});
  CpmuSpec spec{};
  spec.width = static_cast<unsigned>(o.required_unsigned("width", 1, 64));
  const json& caps = *o.array("event_caps", 1, regs::cpmu::kMaxEventCaps, true);
  for (std::size_t i = 0; i < caps.size(); ++i) {
    spec.event_caps.push_back(read_event_cap(caps[i], at_index(o.pointer_of("event_caps"), i)));
  }
  const json& counters = *o.array("counters", 1, regs::cpmu::kMaxCounters, true);
  for (std::size_t i = 0; i < counters.size(); ++i) {
    spec.counters.push_back(read_counter(counters[i], at_index(o.pointer_of("counters"), i), spec.event_caps));
  }
  if (const json* filters = o.array("filters", 0, 2, false)) {
    for (std::size_t i = 0; i < filters->size(); ++i) {
      const std::string where = at_index(o.pointer_of("filters"), i);
      bool* flag = choice<bool*>((*filters)[i], where,
                                 {{"hdm", &spec.hdm_filter}, {"channel_rank_bank", &spec.channel_rank_bank_filter}});
      if (*flag) fail(where, "is listed twice");
      *flag = true;
    }
  }
  spec.interrupt = o.optional_bool("interrupt", false);
  spec.msi_number = static_cast<unsigned>(o.optional_unsigned("msi", 0, regs::cpmu::cap::kMsiNumber.max(), 0));
  spec.freeze = o.optional_bool("freeze", false);
  spec.writable_when_frozen = o.optional_bool("writable_when_frozen", false);
  spec.version = static_cast<unsigned>(o.optional_unsigned("version", 0, regs::cpmu::cap::kVersion.max(), 1));
  if (Status ok = CpmuModel::validate(spec); !ok) fail(pointer, ok.error().message());
  return spec;
}

std::vector<CpmuSpec> read_cpmus(const JsonObject& o) {
  std::vector<CpmuSpec> cpmus;
  if (const json* list = o.array("cpmus", 0, kMaxCpmusPerFunction, false)) {
    for (std::size_t i = 0; i < list->size(); ++i) cpmus.push_back(read_cpmu((*list)[i], at_index(o.pointer_of("cpmus"), i)));
  }
  return cpmus;
}

unsigned read_cpmu_index(const JsonObject& o, const std::vector<CpmuSpec>& cpmus) {
  const auto index = static_cast<unsigned>(o.required_unsigned("cpmu", 0, kMaxCpmusPerFunction));
  if (index >= cpmus.size()) {
    fail(o.pointer_of("cpmu"), fmt::format("names CPMU {}, but this function has {}", index, cpmus.size()));
  }
  return index;
}

FunctionFaults read_faults(const JsonObject& parent, const std::vector<CpmuSpec>& cpmus, bool has_doe) {
  FunctionFaults faults;
  if (!parent.has("faults")) return faults;
  JsonObject o(parent.at("faults"), parent.pointer_of("faults"),
               {"surprise_removal", "doe", "cdat", "capability_loop", "dvsec_length_past_config_space",
                "locator_offset_past_bar", "stuck_counter", "interrupt_storm", "msix_vectors"});
  if (o.has("surprise_removal")) {
    JsonObject removal(o.at("surprise_removal"), o.pointer_of("surprise_removal"), {"at_ms"});
    faults.surprise_removal_ns = removal.optional_unsigned("at_ms", 0, kMaxDurationMs, 0) * kNsPerMs;
  }
  for (std::string_view key : {"doe", "cdat"}) {
    if (o.has(key) && !has_doe) fail(o.pointer_of(key), "this function has no DOE mailbox");
  }
  if (o.has("doe")) {
    faults.doe = choice<DoeFault>(o.at("doe"), o.pointer_of("doe"),
                                  {{"stuck_busy", DoeFault::kStuckBusy},
                                   {"error_mid_exchange", DoeFault::kErrorMidExchange},
                                   {"abort_never_completes", DoeFault::kAbortNeverCompletes},
                                   {"truncated_response", DoeFault::kTruncatedResponse},
                                   {"oversized_response", DoeFault::kOversizedResponse},
                                   {"wrong_header", DoeFault::kWrongHeader},
                                   {"no_response", DoeFault::kNoResponse}});
  }
  if (o.has("cdat")) {
    faults.cdat = choice<CdatFault>(o.at("cdat"), o.pointer_of("cdat"),
                                    {{"bad_checksum", CdatFault::kBadChecksum},
                                     {"truncated_structure", CdatFault::kTruncatedStructure},
                                     {"dangling_handle", CdatFault::kDanglingHandle},
                                     {"bad_header_length", CdatFault::kBadHeaderLength}});
  }
  faults.capability_loop = o.optional_bool("capability_loop", false);
  faults.dvsec_length_past_config_space = o.optional_bool("dvsec_length_past_config_space", false);
  faults.locator_offset_past_bar = o.optional_bool("locator_offset_past_bar", false);
  faults.msix_vectors = static_cast<unsigned>(o.optional_unsigned("msix_vectors", 1, kMsixVectors, kMsixVectors));
  if (const json* list = o.array("stuck_counter", 1, regs::cpmu::kMaxCounters, false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonObject entry((*list)[i], at_index(o.pointer_of("stuck_counter"), i), {"cpmu", "counter"});
      StuckCounterFault stuck{read_cpmu_index(entry, cpmus), 0};
      const std::size_t counters = cpmus[stuck.cpmu].counters.size();
      stuck.counter = static_cast<unsigned>(entry.required_unsigned("counter", 0, regs::cpmu::kMaxCounters - 1));
      if (stuck.counter >= counters) {
        fail(entry.pointer_of("counter"),
             fmt::format("names counter {}, but CPMU {} has {}", stuck.counter, stuck.cpmu, counters));
      }
      faults.stuck_counters.push_back(stuck);
    }
  }
  if (const json* list = o.array("interrupt_storm", 1, kMaxCpmusPerFunction, false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonObject entry((*list)[i], at_index(o.pointer_of("interrupt_storm"), i), {"cpmu"});
      faults.interrupt_storms.push_back(read_cpmu_index(entry, cpmus));
    }
  }
  return faults;
}

std::uint64_t duration_ns(const JsonObject& o, std::string_view key, std::uint64_t min_ms) {
  return o.required_unsigned(key, min_ms, kMaxDurationMs) * kNsPerMs;
}

void read_traffic(const JsonObject& parent, TrafficProfile& profile) {
  if (!parent.has("traffic")) return;
  JsonObject o(parent.at("traffic"), parent.pointer_of("traffic"), {"phases", "bursts", "extra"});
  if (const json* list = o.array("phases", 0, kMaxTrafficEntries, false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonObject p((*list)[i], at_index(o.pointer_of("phases"), i),
                   {"duration_ms", "reads_per_s", "writes_per_s", "partial_write_permille"});
      profile.phases.push_back(Phase{duration_ns(p, "duration_ms", 1),
                                     p.optional_unsigned("reads_per_s", 0, kMaxRatePerS, 0),
                                     p.optional_unsigned("writes_per_s", 0, kMaxRatePerS, 0),
                                     static_cast<std::uint32_t>(p.optional_unsigned("partial_write_permille", 0, 1000, 0))});
    }
  }
  if (const json* list = o.array("bursts", 0, kMaxTrafficEntries, false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonObject b((*list)[i], at_index(o.pointer_of("bursts"), i),
                   {"period_ms", "length_ms", "extra_reads_per_s", "extra_writes_per_s"});
      Burst burst{duration_ns(b, "period_ms", 1), duration_ns(b, "length_ms", 0),
                  b.optional_unsigned("extra_reads_per_s", 0, kMaxRatePerS, 0),
                  b.optional_unsigned("extra_writes_per_s", 0, kMaxRatePerS, 0)};
      if (burst.length_ns > burst.period_ns) fail(b.pointer_of("length_ms"), "must not exceed period_ms");
      profile.bursts.push_back(burst);
    }
  }
  if (const json* list = o.array("extra", 0, kMaxTrafficEntries, false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonObject e((*list)[i], at_index(o.pointer_of("extra"), i), {"vid", "gid", "bit", "per_s"});
      EventKey key{static_cast<std::uint16_t>(e.required_unsigned("vid", 0, 0xffff)),
                   static_cast<std::uint16_t>(e.required_unsigned("gid", 0, 0xffff)),
                   static_cast<std::uint8_t>(e.required_unsigned("bit", 0, 31))};
      profile.extra.push_back(ExtraEvent{key, e.required_unsigned("per_s", 0, kMaxRatePerS)});
    }
  }
}

std::vector<MemoryRangePerf> range_perf(const std::vector<MemoryRangeSpec>& ranges) {
  std::vector<MemoryRangePerf> perf;
  std::uint64_t dpa = 0;
  for (const MemoryRangeSpec& r : ranges) {
    perf.push_back(MemoryRangePerf{dpa, r.size, r.persistent, r.read_latency_ns * kPsPerNs,
                                   r.write_latency_ns * kPsPerNs, r.read_bandwidth_mbps, r.write_bandwidth_mbps});
    dpa += r.size;
  }
  return perf;
}

unsigned read_hdm_decoders(const JsonObject& o) {
  // The component block's 4-bit count field encodes 1, 2, 4, 6 or 8 (facts §1.6: 0 -> 1, n -> 2n).
  const auto count = static_cast<unsigned>(o.optional_unsigned("hdm_decoders", 1, 8, 1));
  if (count != 1 && count % 2 != 0) fail(o.pointer_of("hdm_decoders"), fmt::format("must be 1, 2, 4, 6 or 8; got {}", count));
  return count;
}

EndpointSpec read_endpoint(const JsonObject& parent) {
  JsonObject o(parent.at("endpoint"), parent.pointer_of("endpoint"),
               {"vendor_id", "device_id", "revision", "class_code", "serial", "memory", "hdm_decoders",
                "ddr_channels", "clock_mhz", "traffic", "cpmus", "faults"});
  EndpointSpec e;
  e.function.ids = read_ids(o, kMemoryExpanderDeviceId, 1);
  e.class_code = static_cast<std::uint32_t>(o.optional_unsigned("class_code", 0, 0xff'ffff, kMemoryExpanderClass));
  if (o.has("serial")) e.serial = detail::parse_unsigned(o.at("serial"), o.pointer_of("serial"));
  const json& memory = *o.array("memory", 1, regs::dvsec::cxl_device::kMaxRanges, true);
  for (std::size_t i = 0; i < memory.size(); ++i) {
    JsonObject r(memory[i], at_index(o.pointer_of("memory"), i),
                 {"size", "persistent", "read_latency_ns", "write_latency_ns", "read_bandwidth_mbps",
                  "write_bandwidth_mbps"});
    MemoryRangeSpec range;
    range.size = r.required_size("size");
    if (range.size == 0 || range.size % regs::dvsec::cxl_device::kRangeGranularity != 0) {
      fail(r.pointer_of("size"), fmt::format("must be a non-zero multiple of 256M; got {:#x}", range.size));
    }
    range.persistent = r.optional_bool("persistent", false);
    range.read_latency_ns = r.optional_unsigned("read_latency_ns", 1, kMaxPerfValue, kQemuRange.read_latency_ns);
    range.write_latency_ns = r.optional_unsigned("write_latency_ns", 1, kMaxPerfValue, kQemuRange.write_latency_ns);
    range.read_bandwidth_mbps = r.optional_unsigned("read_bandwidth_mbps", 1, kMaxPerfValue, kQemuRange.read_bandwidth_mbps);
    range.write_bandwidth_mbps = r.optional_unsigned("write_bandwidth_mbps", 1, kMaxPerfValue, kQemuRange.write_bandwidth_mbps);
    e.memory.push_back(range);
  }
  if (Result<CdatEntries> cdat = build_endpoint_cdat(range_perf(e.memory)); !cdat) {
    fail(o.pointer_of("memory"), cdat.error().message());
  }
  e.traffic.clock_hz = clock_hz(o);
  e.traffic.hdm_decoders = read_hdm_decoders(o);
  e.traffic.ddr_channels = static_cast<std::uint32_t>(o.optional_unsigned("ddr_channels", 1, kMaxDdrChannels, 1));
  read_traffic(o, e.traffic);
  if (Status ok = DeviceTraffic::validate(e.traffic); !ok) fail(o.pointer(), ok.error().message());
  e.function.cpmus = read_cpmus(o);
  e.function.faults = read_faults(o, e.function.cpmus, true);
  return e;
}

DownstreamPortSpec read_downstream_port(const json& value, const std::string& pointer, std::size_t index) {
  JsonObject o(value, pointer,
               {"port", "link", "vendor_id", "device_id", "revision", "clock_mhz", "cpmus", "faults", "endpoint"});
  DownstreamPortSpec d;
  d.function.ids = read_ids(o, kDownstreamPortDeviceId, 0);
  d.port = static_cast<unsigned>(o.optional_unsigned("port", 0, 0xff, index));
  d.link = read_link(o);
  d.clock_hz = clock_hz(o);
  d.function.cpmus = read_cpmus(o);
  d.function.faults = read_faults(o, d.function.cpmus, false);
  if (o.has("endpoint")) d.endpoint = read_endpoint(o);
  return d;
}

SwitchSpec read_switch(const JsonObject& parent) {
  JsonObject o(parent.at("switch"), parent.pointer_of("switch"), {"upstream_port", "downstream_ports"});
  SwitchSpec s;
  JsonObject up(o.at("upstream_port"), o.pointer_of("upstream_port"),
                {"vendor_id", "device_id", "revision", "clock_mhz", "hdm_decoders", "cpmus", "sslbis", "faults"});
  s.upstream.function.ids = read_ids(up, kUpstreamPortDeviceId, 0);
  s.upstream.clock_hz = clock_hz(up);
  s.upstream.hdm_decoders = read_hdm_decoders(up);
  s.upstream.sslbis = kQemuSslbis;
  if (up.has("sslbis")) {
    JsonObject sl(up.at("sslbis"), up.pointer_of("sslbis"), {"latency_ns", "bandwidth_mbps"});
    s.upstream.sslbis.latency_ns = sl.optional_unsigned("latency_ns", 1, kMaxPerfValue, kQemuSslbis.latency_ns);
    s.upstream.sslbis.bandwidth_mbps =
        sl.optional_unsigned("bandwidth_mbps", 1, kMaxPerfValue, kQemuSslbis.bandwidth_mbps);
    const SwitchPortPerf probe{regs::cdat::sslbis::kUpstreamPort, 0, s.upstream.sslbis.latency_ns * kPsPerNs,
                               s.upstream.sslbis.bandwidth_mbps};
    if (Result<CdatEntries> cdat = build_switch_cdat({probe}); !cdat) fail(sl.pointer(), cdat.error().message());
  }
  s.upstream.function.cpmus = read_cpmus(up);
  s.upstream.function.faults = read_faults(up, s.upstream.function.cpmus, true);
  if (s.upstream.function.faults.cdat == CdatFault::kDanglingHandle) {
    fail(detail::child_pointer(up.pointer_of("faults"), "cdat"),
         "dangling_handle needs a DSLBIS, which only endpoint tables have");
  }

  const json& ports = *o.array("downstream_ports", 1, kMaxDevicesPerBus, true);
  std::set<unsigned> numbers;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const std::string where = at_index(o.pointer_of("downstream_ports"), i);
    s.downstream_ports.push_back(read_downstream_port(ports[i], where, i));
    if (!numbers.insert(s.downstream_ports.back().port).second) {
      fail(detail::child_pointer(where, "port"),
           fmt::format("port number {} is used twice in this switch", s.downstream_ports.back().port));
    }
  }
  return s;
}

RootPortSpec read_root_port(const json& value, const std::string& pointer) {
  JsonObject o(value, pointer,
               {"device", "port", "link", "vendor_id", "device_id", "revision", "clock_mhz", "cpmus", "faults",
                "endpoint", "switch"});
  RootPortSpec r;
  r.function.ids = read_ids(o, kRootPortDeviceId, 0);
  r.device = static_cast<unsigned>(o.required_unsigned("device", 0, kMaxDevicesPerBus - 1));
  r.port = static_cast<unsigned>(o.optional_unsigned("port", 0, 0xff, r.device));
  r.link = read_link(o);
  r.clock_hz = clock_hz(o);
  r.function.cpmus = read_cpmus(o);
  r.function.faults = read_faults(o, r.function.cpmus, false);
  if (o.has("endpoint") && o.has("switch")) {
    fail(o.pointer_of("switch"), "a root port holds an endpoint or a switch, not both");
  }
  if (o.has("endpoint")) r.endpoint = read_endpoint(o);
  if (o.has("switch")) r.switch_below = read_switch(o);
  return r;
}

HostBridgeSpec read_host_bridge(const json& value, const std::string& pointer) {
  JsonObject o(value, pointer, {"domain", "root_bus", "root_ports"});
  HostBridgeSpec h;
  h.domain = static_cast<std::uint16_t>(o.optional_unsigned("domain", 0, 0xffff, 0));
  h.root_bus = static_cast<std::uint8_t>(o.required_unsigned("root_bus", 0, 0xff));
  const json& ports = *o.array("root_ports", 1, kMaxDevicesPerBus, true);
  std::set<unsigned> devices;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const std::string where = at_index(o.pointer_of("root_ports"), i);
    h.root_ports.push_back(read_root_port(ports[i], where));
    if (!devices.insert(h.root_ports.back().device).second) {
      fail(detail::child_pointer(where, "device"),
           fmt::format("device number {} is used twice on this host bridge", h.root_ports.back().device));
    }
  }
  return h;
}

SimTiming read_timing(const json& value, const std::string& where) {
  JsonObject o(value, where, {"register_access_ns", "interrupt_latency_ns", "tick_ns"});
  SimTiming t;
  t.register_access_ns = o.optional_unsigned("register_access_ns", 0, kMaxRegisterAccessNs, 0);
  t.interrupt_latency_ns = o.optional_unsigned("interrupt_latency_ns", 0, kMaxInterruptLatencyNs, 0);
  t.tick_ns = o.optional_unsigned("tick_ns", kMinTickNs, kMaxTickNs, kTickNs);
  return t;
}

TopologySpec read_topology(const json& document) {
  JsonObject o(document, "", {"schema_version", "description", "host_bridges", "timing"});
  const std::uint64_t version = o.required_unsigned("schema_version", 0, 0xffff);
  if (version != kSchemaVersion) {
    fail(o.pointer_of("schema_version"), fmt::format("must be {}; got {}", kSchemaVersion, version));
  }
  if (o.has("description") && !o.at("description").is_string()) {
    fail(o.pointer_of("description"), "must be a string");
  }
  TopologySpec spec;
  const json& bridges = *o.array("host_bridges", 1, kMaxHostBridges, true);
  for (std::size_t i = 0; i < bridges.size(); ++i) {
    spec.host_bridges.push_back(read_host_bridge(bridges[i], at_index(o.pointer_of("host_bridges"), i)));
  }
  if (o.has("timing")) spec.timing = read_timing(o.at("timing"), o.pointer_of("timing"));
  return spec;
}

// "topo.json:3:17: ..." from the byte offset nlohmann reports.
Error syntax_error(std::string_view text, std::string_view source, const json::parse_error& e) {
  const std::size_t position = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < position; ++i) {
    if (text[i] == '\n') ++line, line_start = i + 1;
  }
  std::string what = e.what();
  // Drop nlohmann's "[json.exception.parse_error.101] parse error at line L, column C: " prefix.
  if (const auto column = what.find("column "); column != std::string::npos) {
    if (const auto colon = what.find(": ", column); colon != std::string::npos) what = what.substr(colon + 2);
  }
  return Error(Errc::kMalformed, fmt::format("{}:{}:{}: invalid JSON: {}", source, line, position - line_start + 1, what));
}

// "topo.json:3:17: invalid JSON: number overflow parsing '1e400'".
Error number_error(std::string_view text, std::string_view source, const json::exception& e) {
  std::string what = e.what();
  if (const auto bracket = what.find("] "); bracket != std::string::npos) what = what.substr(bracket + 2);
  std::size_t position = std::string_view::npos;
  if (const auto open = what.find('\''), close = what.rfind('\''); open != std::string::npos && close > open) {
    position = text.find(what.substr(open + 1, close - open - 1));
  }
  if (position == std::string_view::npos) return Error(Errc::kMalformed, fmt::format("{}: invalid JSON: {}", source, what));
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < position; ++i) {
    if (text[i] == '\n') ++line, line_start = i + 1;
  }
  return Error(Errc::kMalformed, fmt::format("{}:{}:{}: invalid JSON: {}", source, line, position - line_start + 1, what));
}

}  // namespace

std::optional<unsigned> link_speed_code(double gts) {
  constexpr double kSpeeds[] = {2.5, 5, 8, 16, 32, 64};
  for (unsigned i = 0; i < std::size(kSpeeds); ++i) {
    if (std::fabs(gts - kSpeeds[i]) < 1e-9) return i + 1;
  }
  return std::nullopt;
}

// Every exception of the JSON library stops here; this is the parser's
// boundary. A number the library cannot hold (1e400) has no byte position
// in its exception: the token is found in the text instead.
Result<TopologySpec> parse_topology(std::string_view json_text, std::string_view source_name) {
  if (json_text.size() > kMaxTopologyBytes) {
    return Error(Errc::kInvalidArgument, fmt::format("{}: the topology is {} bytes, more than the {} a topology may "
                                                     "have", source_name, json_text.size(), kMaxTopologyBytes));
  }
  try {
    const json document = detail::parse_without_duplicate_keys(json_text);
    return read_topology(document);
  } catch (const json::parse_error& e) {
    return syntax_error(json_text, source_name, e);
  } catch (const detail::JsonFieldError& e) {
    return Error(Errc::kInvalidArgument, fmt::format("{}: {}: {}", source_name, e.pointer, e.message));
  } catch (const json::exception& e) {
    return number_error(json_text, source_name, e);
  } catch (const std::exception& e) {
    return Error(Errc::kMalformed, fmt::format("{}: cannot read the topology: {}", source_name, e.what()));
  }
}

// Reads at most kMaxTopologyBytes + 1, so an endless or huge file
// (/dev/zero) fails fast instead of filling memory.
Result<TopologySpec> load_topology_file(const std::string& path) {
  // Said as it is, not as the JSON error reading it gives ("unexpected end
  // of input"); and a FIFO, which would block the open, is never opened.
  std::error_code ec;
  const auto type = std::filesystem::status(path, ec).type();
  if (type == std::filesystem::file_type::directory) {
    return Error(Errc::kInvalidArgument, fmt::format("{}: is a directory, not a topology file", path));
  }
  if (type == std::filesystem::file_type::fifo || type == std::filesystem::file_type::socket) {
    return Error(Errc::kInvalidArgument, fmt::format("{}: is a FIFO or socket, not a topology file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(Errc::kNotFound, fmt::format("{}: cannot open topology file", path));
  std::string text(kMaxTopologyBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error(Errc::kIo, fmt::format("{}: cannot read topology file", path));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxTopologyBytes) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("{}: the topology file is larger than {} bytes (is it a topology file?)", path,
                             kMaxTopologyBytes));
  }
  return parse_topology(text, path);
}

std::string_view default_topology_json() { return detail::embedded_default_topology(); }

Result<TopologySpec> default_topology() { return parse_topology(default_topology_json(), "built-in default topology"); }

}  // namespace cpmu::sim
