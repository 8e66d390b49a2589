#include "cdat_view.hpp"

#include <fmt/format.h>

#include <iterator>

#include "device_selection.hpp"

namespace cpmu::cli {
namespace {

std::string port_name(std::uint16_t id) {
  if (id == regs::cdat::sslbis::kUpstreamPort) return "USP";
  if (id == regs::cdat::sslbis::kAnyPort) return "any port";
  return fmt::format("DSP {}", id);
}

std::string optional_text(const std::optional<std::uint64_t>& v, std::string (*format)(std::uint64_t)) {
  return v ? format(*v) : std::string("-");
}

std::string perf_text(const CdatPerf& p) {
  return fmt::format("latency read {} write {}, bandwidth read {} write {}",
                     optional_text(p.read_latency_ns, format_latency), optional_text(p.write_latency_ns, format_latency),
                     optional_text(p.read_bandwidth, format_bandwidth),
                     optional_text(p.write_bandwidth, format_bandwidth));
}

std::string value_text(CdatDataType type, const std::optional<std::uint64_t>& value) {
  if (!value) return "no value";
  return cdat_is_latency(type) ? format_latency(*value) : format_bandwidth(*value);
}

std::string bdf_of(const DiscoveredMachine& machine, const std::optional<std::size_t>& function) {
  return function ? machine.functions[*function].info.address.to_string() : std::string();
}

void structures_text(std::string& out, const CdatTable& t) {
  for (const auto& d : t.dsmas) {
    out += fmt::format("    {:#05x} DSMAS   handle {} flags {:#04x}{}{}{} DPA {:#x} length {:#x}\n", d.offset, d.handle,
                       d.flags, d.non_volatile() ? " non-volatile" : "", d.shareable() ? " shareable" : "",
                       d.read_only() ? " read-only" : "", d.dpa_base, d.dpa_length);
  }
  for (const auto& d : t.dslbis) {
    out += fmt::format("    {:#05x} DSLBIS  handle {} flags {:#04x} {}: base unit {} entries {} {} {} -> {}\n",
                       d.offset, d.handle, d.flags, cdat_data_type_name(d.data_type), d.base_unit, d.entries[0],
                       d.entries[1], d.entries[2], value_text(d.data_type, d.value));
  }
  for (const auto& d : t.dsmscis) {
    out += fmt::format("    {:#05x} DSMSCIS handle {} cache size {:#x} attributes {:#010x}\n", d.offset, d.handle,
                       d.cache_size, d.cache_attributes);
  }
  for (const auto& d : t.dsis) {
    out += fmt::format("    {:#05x} DSIS    handle {} flags {:#04x}{}\n", d.offset, d.handle, d.flags,
                       d.memory_attached() ? " memory attached" : "");
  }
  for (const auto& d : t.dsemts) {
    out += fmt::format("    {:#05x} DSEMTS  handle {} EFI memory type {} DPA offset {:#x} length {:#x}\n", d.offset,
                       d.handle, d.memory_type, d.dpa_offset, d.dpa_length);
  }
  for (const auto& s : t.sslbis) {
    out += fmt::format("    {:#05x} SSLBIS  {}: base unit {}\n", s.offset, cdat_data_type_name(s.data_type), s.base_unit);
    for (const auto& e : s.entries) {
      out += fmt::format("            {} ({:#06x}) <-> {} ({:#06x}): entry {} -> {}\n", port_name(e.port_x), e.port_x,
                         port_name(e.port_y), e.port_y, e.entry, value_text(s.data_type, e.value));
    }
  }
  for (const auto& u : t.unknown) {
    out += fmt::format("    {:#05x} skipped: reserved structure type {} ({} bytes)\n", u.offset, u.type, u.length);
  }
}

}  // namespace

std::string format_latency(std::uint64_t ns) { return fmt::format("{} ns", ns); }

std::string format_bandwidth(std::uint64_t bytes_per_second) {
  constexpr std::uint64_t kGB = 1'000'000'000, kMB = 1'000'000;
  if (bytes_per_second >= kGB) {
    if (bytes_per_second % kGB == 0) return fmt::format("{} GB/s", bytes_per_second / kGB);
    return fmt::format("{:.3f} GB/s", static_cast<double>(bytes_per_second) / static_cast<double>(kGB));
  }
  if (bytes_per_second % kMB == 0) return fmt::format("{} MB/s", bytes_per_second / kMB);
  return fmt::format("{} bytes/s", bytes_per_second);
}

std::string render_cdat_text(const DiscoveredMachine& machine, const CdatContext& context) {
  std::string out;
  for (const FunctionCdat& f : context.functions) {
    out += function_heading(machine.functions[f.function]) + "\n";
    if (!f.source.empty()) out += fmt::format("  source: {} ({} bytes)\n", f.source, f.raw.size());
    if (!f.table) {
      out += fmt::format("  error: {}\n", f.error ? f.error->message() : std::string("no table"));
      continue;
    }
    const CdatTable& t = *f.table;
    out += fmt::format("  header: length {} revision {} checksum {:#04x} sequence {}\n", t.header.length,
                       t.header.revision, t.header.checksum, t.header.sequence);
    for (const CdatRangePerf& r : f.ranges) {
      out += fmt::format("  DPA {:#x}-{:#x} ({} MiB, {}, handle {}): {}\n", r.dpa_base, r.dpa_base + r.dpa_length - 1,
                         r.dpa_length >> 20, r.non_volatile ? "persistent" : "volatile", r.handle, perf_text(r.perf));
    }
    for (const CdatPortPerf& p : f.port_pairs) {
      const std::string x = bdf_of(machine, p.x_function), y = bdf_of(machine, p.y_function);
      out += fmt::format("  {}{} <-> {}{}: {}\n", port_name(p.port_x), x.empty() ? "" : " " + x, port_name(p.port_y),
                         y.empty() ? "" : " " + y, perf_text(p.perf));
    }
    out += "  structures:\n";
    structures_text(out, t);
  }
  return out;
}

}  // namespace cpmu::cli
