// `cpmu list` for people: the topology as a tree (lspci -t crossed with
// cxl list), each node with its identity, link, kernel names and CPMUs.
#include <fmt/format.h>

#include "cpmu/backend_choice.hpp"

#include "cpmu/event_naming.hpp"
#include "cpmu/text_glyphs.hpp"
#include "list_view.hpp"

namespace cpmu::cli {

namespace {

std::string link_text(const LinkInfo& link) {
  std::string text = fmt::format("link {} x{}", link_speed_name(link.speed), link.width);
  // Some ports (QEMU's DSPs) leave Link Capabilities at zero: nothing to say then.
  if (link.max_speed != 0 && (link.max_speed != link.speed || link.max_width != link.width)) {
    text += fmt::format(" (max {} x{})", link_speed_name(link.max_speed), link.max_width);
  }
  return text;
}

std::string block_location(const RegisterBlock& block) {
  std::string text = fmt::format("BAR{}+0x{:x}", block.bir, block.offset);
  text += block.bar_size ? fmt::format(" (BAR {})", byte_size_text(*block.bar_size))
                         : std::string(" (BAR size unknown: offset not checked)");
  return text;
}

std::string cpmu_summary(const Cpmu& cpmu) {
  std::string text = fmt::format("cpmu{}: ", cpmu.instance);
  if (cpmu.capabilities) {
    const auto& c = *cpmu.capabilities;
    text += fmt::format("{} counters {} {} bit, {} event groups", c.counter_count, locale_glyphs().times,
                        c.counter_width, c.event_capability_count);
    if (c.interrupt) text += fmt::format(", int msi {}", c.interrupt_message);
    if (c.freeze) text += ", freeze";
    if (c.hdm_filter()) text += ", hdm filter";
    if (c.channel_rank_bank_filter()) text += ", channel/rank/bank filter";
  } else {
    text += fmt::format("capabilities unknown: {}", cpmu.capabilities_unknown);
  }
  text += fmt::format("  [{}", block_location(cpmu.block));
  switch (cpmu.owner.kind) {
    case CpmuOwnerKind::kNone: break;
    case CpmuOwnerKind::kKernel:
      text += fmt::format("; owned by the kernel: {}", cpmu.kernel_device);
      if (!cpmu.perf_pmu.empty()) text += fmt::format(", perf {}", cpmu.perf_pmu);
      break;
    case CpmuOwnerKind::kProcess:
      text += cpmu.owner.pid ? fmt::format("; owned by cpmu process {}", *cpmu.owner.pid)
                             : std::string("; owned by another cpmu process");
      break;
  }
  // Which backend `cpmu stat` would use, and why (or why none can).
  const BackendDecision backend = decide_backend(cpmu);
  text += backend.backend.empty() ? "; cannot count" : fmt::format("; counts with the {} backend", backend.backend);
  // The reason, unless the line says it already (unknown capabilities, a
  // process's lock).
  if (cpmu.owner.kind == CpmuOwnerKind::kKernel ||
      (backend.backend.empty() && cpmu.capabilities && cpmu.owner.kind == CpmuOwnerKind::kNone)) {
    text += ": " + backend.reason;
  }
  return text + "]";
}

class TreeWriter {
 public:
  explicit TreeWriter(const ListView& view) : view_(view) {}

  std::string run() {
    const Topology& t = *view_.topology;
    for (const auto& bridge : t.host_bridges) {
      auto kids = shown_children(bridge.children);
      if (kids.empty()) continue;
      out_ += fmt::format("{} host bridge, domain {:04x} bus {:02x}", bridge.name(), bridge.domain, bridge.root_bus);
      if (!bridge.cxl_port.empty()) out_ += fmt::format("  [{}]", bridge.cxl_port);
      out_ += "\n";
      write_children(kids, "");
    }
    // The machine's own problems (a dump's lines outside any device) belong to no node.
    for (const auto& problem : view_.machine->problems) out_ += fmt::format("problem: {}\n", problem.message());
    return out_;
  }

 private:
  std::vector<std::size_t> shown_children(const std::vector<std::size_t>& all) const {
    std::vector<std::size_t> kids;
    for (std::size_t i : all) {
      if (view_.shown[i]) kids.push_back(i);
    }
    return kids;
  }

  void write_children(const std::vector<std::size_t>& kids, const std::string& prefix) {
    for (std::size_t k = 0; k < kids.size(); ++k) {
      bool last = k + 1 == kids.size();
      write_node(kids[k], fmt::format("{}{} ", prefix, last ? glyphs_.last : glyphs_.branch),
                 fmt::format("{}{}  ", prefix, last ? " " : glyphs_.vertical));
    }
  }

  void write_node(std::size_t index, const std::string& head, const std::string& body) {
    const DiscoveredFunction& fn = view_.machine->functions[index];
    auto kids = shown_children(view_.topology->children[index]);
    std::string detail = fmt::format("{}{}    ", body, kids.empty() ? " " : glyphs_.vertical);
    std::string line = fmt::format("{}{} {}", head, fn.info.address.to_string(), component_kind_title(fn.kind));
    if (fn.memory_device) line += " (CXL memory device)";
    else if (fn.is_cxl()) line += " (CXL)";
    line += fmt::format("  {:04x}:{:04x}", fn.info.vendor_id, fn.info.device_id);
    if (fn.link) line += "  " + link_text(*fn.link);
    if (fn.serial_number) line += fmt::format("  sn 0x{:x}", *fn.serial_number);
    std::vector<std::string> names;
    for (const std::string* name : {&fn.memdev, &fn.cxl_endpoint, &fn.cxl_port, &fn.cxl_dport}) {
      if (!name->empty()) names.push_back(*name);
    }
    if (!names.empty()) line += fmt::format("  [{}]", fmt::join(names, " "));
    if (!view_.selected[index]) line += "  (not selected; shown for context)";
    out_ += line + "\n";
    if (view_.selected[index]) write_details(fn, detail);
    write_children(kids, body);
  }

  void write_details(const DiscoveredFunction& fn, const std::string& prefix) {
    if (view_.verbose) {
      for (const auto& d : fn.dvsecs) {
        std::string_view name = d.is_cxl() ? cxl_dvsec_name(d.id) : std::string_view();
        out_ += fmt::format("{}dvsec 0x{:03x}: vendor {:04x} ID {} rev {} length {}{}{}\n", prefix, d.offset,
                            d.vendor_id, d.id, d.revision, d.length, name.empty() ? "" : ": ", name);
      }
      for (const auto& b : fn.register_blocks) {
        std::string_view name = register_block_name(b.block_id);
        out_ += fmt::format("{}block {}: {}\n", prefix, block_location(b),
                            name.empty() ? fmt::format("ID {}", b.block_id) : std::string(name));
      }
      for (const auto& d : fn.doe_mailboxes) {
        out_ += fmt::format("{}doe 0x{:03x}: capabilities 0x{:08x}", prefix, d.offset, d.capabilities);
        if (d.interrupt_support) out_ += fmt::format(", int msg {}", d.interrupt_message);
        out_ += "\n";
      }
    } else if (!fn.doe_mailboxes.empty()) {
      std::vector<std::string> offsets;
      for (const auto& d : fn.doe_mailboxes) offsets.push_back(fmt::format("0x{:03x}", d.offset));
      out_ += fmt::format("{}doe mailbox at {}\n", prefix, fmt::join(offsets, ", "));
    }
    for (const auto& cpmu : fn.cpmus) {
      out_ += prefix + cpmu_summary(cpmu) + "\n";
      if (view_.verbose && cpmu.capabilities) write_cpmu_details(*cpmu.capabilities, prefix + "  ");
    }
    for (const auto& problem : fn.problems) out_ += fmt::format("{}problem: {}\n", prefix, problem.message());
  }

  void write_cpmu_details(const CpmuCapabilities& caps, const std::string& prefix) {
    for (std::size_t i = 0; i < caps.event_capabilities.size(); ++i) {
      const auto& e = caps.event_capabilities[i];
      std::string title = group_title(view_.catalogue, e.vendor_id, e.group_id);
      out_ += fmt::format("{}event group {}: vid 0x{:04x} gid 0x{:04x} mask 0x{:08x}{}{}\n", prefix, i, e.vendor_id,
                          e.group_id, e.supported_events, title.empty() ? "" : "  ", title);
      auto names = event_names(view_.catalogue, e.vendor_id, e.group_id, e.supported_events);
      if (!names.empty()) out_ += fmt::format("{}  {}\n", prefix, fmt::join(names, " "));
    }
    for (std::size_t n = 0; n < caps.counters.size(); ++n) {
      const auto& c = caps.counters[n];
      out_ += fmt::format("{}counter {}: {}", prefix, n, counter_type_name(c.type));
      if (c.type == CounterType::kFixed || c.type == CounterType::kFreeRunning) {
        out_ += fmt::format(", events 0x{:x} of group {}", c.events, c.event_group_index);
        if (c.event_group_index < caps.event_capabilities.size()) {
          const auto& e = caps.event_capabilities[c.event_group_index];
          auto names = event_names(view_.catalogue, e.vendor_id, e.group_id, c.events);
          if (!names.empty()) out_ += fmt::format(" ({})", fmt::join(names, " "));
        }
      }
      out_ += "\n";
    }
  }

  const ListView& view_;
  const TextGlyphs& glyphs_ = locale_glyphs();
  std::string out_;
};

}  // namespace

std::string render_list_tree(const ListView& view) { return TreeWriter(view).run(); }

}  // namespace cpmu::cli
