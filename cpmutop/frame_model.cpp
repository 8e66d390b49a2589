#include "frame_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "cpmu/text_glyphs.hpp"
#include "cpmu/value_text.hpp"

namespace cpmu::top {

namespace {

// The events behind the READ, WRITE and REQ/s columns where the monitor's
// metrics are missing (a recording of other metrics): one 64-byte line each.
constexpr double kLineBytes = 64;
constexpr const char* kReadEvent = "s2m_drs_memdata";
constexpr const char* kWriteEvent = "m2s_rwd_memwr_all";
constexpr const char* kRequestEvent = "m2s_req_all";
constexpr std::size_t kMeters = 4;

struct Node {
  Row row;
  std::string parent;
  std::vector<std::string> children;
};

std::string kind_text(ComponentKind kind) { return std::string(component_kind_name(kind)); }

std::string short_kind(const std::string& kind) {
  if (kind == "root-port") return "RP";
  if (kind == "upstream-port") return "USP";
  if (kind == "downstream-port") return "DSP";
  if (kind == "endpoint") return "EP";
  return kind;
}

// A bridge of an upstream chain with no CPMU of its own has no identity:
// its place in the chain says what it is (root port first, then switch
// upstream and downstream ports in turn).
std::string kind_at_depth(std::size_t chain_index) {
  if (chain_index == 1) return "root-port";
  return chain_index % 2 == 0 ? "upstream-port" : "downstream-port";
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void add_flag(std::string& flags, char flag) {
  if (flags.find(flag) == std::string::npos) flags.push_back(flag);
}

// Capacity per direction for utilisation: CDAT where the function has it
// (endpoint ranges, switch port pairs), else the negotiated link.
struct Capacity {
  std::optional<double> read, write;
  std::string from;
};

Capacity capacity_of(const SourceIdentity& id) {
  Capacity c;
  for (const CdatRangePerf& r : id.cdat_ranges) {
    if (r.perf.read_bandwidth) c.read = std::max(c.read.value_or(0), static_cast<double>(*r.perf.read_bandwidth));
    if (r.perf.write_bandwidth) c.write = std::max(c.write.value_or(0), static_cast<double>(*r.perf.write_bandwidth));
  }
  for (const CdatPortPerf& p : id.cdat_port_pairs) {
    if (p.perf.read_bandwidth) c.read = std::max(c.read.value_or(0), static_cast<double>(*p.perf.read_bandwidth));
    if (p.perf.write_bandwidth) c.write = std::max(c.write.value_or(0), static_cast<double>(*p.perf.write_bandwidth));
  }
  if (c.read || c.write) {
    c.from = "cdat";
  } else if (id.link_gt_s && id.link_width) {
    c.read = c.write = link_bytes_per_second(*id.link_gt_s, *id.link_width);
    c.from = "link";
  }
  return c;
}

class Builder {
 public:
  explicit Builder(const FrameInput& in) : in_(in) {}

  Frame build() {
    Frame f;
    f.source = in_.source;
    const Snapshot& s = *in_.snapshot;
    f.sequence = s.sequence;
    f.elapsed_ns = s.elapsed_ns();
    f.interval_ns = s.interval_ns;
    f.wall_time_ns = s.wall_time_ns;
    for (std::size_t i = 0; i < s.sources.size(); ++i) {
      const SourceIdentity& id = *s.sources[i].identity;
      if (id.source_kind == SourceKind::kHostCpu) continue;
      Row& row = cpmu_row(id);
      fill_counted(row, i);
      ++f.counting;
    }
    if (in_.idle) {
      for (const IdleCpmu& idle : *in_.idle) {
        Row& row = cpmu_row(idle.identity);
        if (idle.kernel_owned) add_flag(row.flags, 'K');
        row.note = idle.reason;
      }
    }
    for (auto& [id, node] : nodes_) {
      if (node.row.type == RowType::kComponent) {
        ++f.components;
        roll_up(node);
      } else if (node.row.type == RowType::kCpmu) {
        ++f.cpmus;
      }
    }
    for (auto& [id, node] : nodes_) {
      if (node.row.kind == "upstream-port") conserve(node, f);
    }
    for (auto& [id, node] : nodes_) finish(node.row, f);
    totals(f);
    meters(f);
    order(f);
    return f;
  }

 private:
  Node& node(const std::string& id, const std::string& parent, RowType type) {
    auto [it, added] = nodes_.try_emplace(id);
    if (added) {
      it->second.row.type = type;
      it->second.row.id = id;
      it->second.parent = parent;
      if (parent.empty()) {
        roots_.push_back(id);
      } else {
        nodes_[parent].children.push_back(id);
      }
    }
    return it->second;
  }

  // The CPMU's row, with its function and the function's ancestors.
  Row& cpmu_row(const SourceIdentity& id) {
    std::string parent;
    for (std::size_t i = 0; i < id.upstream.size(); ++i) {
      const bool bridge = i == 0;
      Node& n = node(id.upstream[i], parent, bridge ? RowType::kHostBridge : RowType::kComponent);
      if (n.row.kind.empty()) {
        n.row.kind = bridge ? "host-bridge" : kind_at_depth(i);
        n.row.label = bridge ? id.upstream[i] : id.upstream[i] + " " + short_kind(n.row.kind);
      }
      parent = id.upstream[i];
    }
    const std::string function = id.name.function.to_string();
    Node& fn = node(function, parent, RowType::kComponent);
    fn.row.kind = kind_text(id.kind);
    fn.row.memdev = id.memdev;
    fn.row.label = function + " " + short_kind(fn.row.kind) + (id.memdev.empty() ? "" : " " + id.memdev);
    Node& c = node(id.name.to_string(), function, RowType::kCpmu);
    c.row.kind = "cpmu";
    c.row.memdev = id.memdev;
    c.row.label = fmt::format("cpmu {}", id.name.instance);
    capacity_[id.name.to_string()] = capacity_of(id);
    return c.row;
  }

  void fill_counted(Row& row, std::size_t source) {
    const Snapshot& s = *in_.snapshot;
    const SourceStatus& status = s.sources[source];
    row.source = source;
    std::optional<double> read_rate, write_rate;
    for (const SeriesValue& v : s.series) {
      if (v.info->source != source) continue;
      if (!v.total.count.trusted) add_flag(row.flags, '?');
      if (v.info->placement == Placement::kMultiplexed) add_flag(row.flags, 'M');
      const std::optional<double>& rate = v.interval.rate;
      if (v.info->label == kReadEvent) {
        read_rate = rate;
      } else if (v.info->label == kWriteEvent) {
        write_rate = rate;
      } else if (v.info->label != kRequestEvent && rate) {
        row.events += fmt::format("{}{} {}", row.events.empty() ? "" : " ", v.info->label, per_second(*rate));
      }
      if ((v.info->label == kRequestEvent || v.info->label == kWriteEvent) && rate) {
        row.requests = row.requests.value_or(0) + *rate;
      }
    }
    if (read_rate) row.read = *read_rate * kLineBytes;
    if (write_rate) row.write = *write_rate * kLineBytes;
    for (const MetricValue& m : s.metrics) {
      if (m.source != source || !m.interval_value) continue;
      if (m.name == "read_bandwidth") row.read = *m.interval_value;
      if (m.name == "write_bandwidth") row.write = *m.interval_value;
      if (!m.trusted) add_flag(row.flags, '?');
    }
    if (status.health != SourceHealth::kCounting) {
      add_flag(row.flags, '!');
      row.note = status.error;
    }
    const Capacity& cap = capacity_[row.id];
    std::optional<double> util;
    if (row.read && cap.read && *cap.read > 0) util = *row.read / *cap.read;
    if (row.write && cap.write && *cap.write > 0) util = std::max(util.value_or(0), *row.write / *cap.write);
    row.util = util;
    row.capacity_from = cap.from;
  }

  // A component shows its first CPMU that counts traffic; its flags are all
  // of its CPMUs'.
  void roll_up(Node& fn) {
    for (const std::string& child : fn.children) {
      const Row& c = nodes_[child].row;
      if (c.type != RowType::kCpmu) continue;
      for (char flag : c.flags) add_flag(fn.row.flags, flag);
      if (fn.row.note.empty()) fn.row.note = c.note;
      if (!fn.row.source && (c.read || c.write)) {
        fn.row.source = c.source;
        fn.row.read = c.read;
        fn.row.write = c.write;
        fn.row.requests = c.requests;
        fn.row.util = c.util;
        fn.row.capacity_from = c.capacity_from;
        fn.row.events = c.events;
      }
    }
    fn.row.has_children = !fn.children.empty();
  }

  void conserve(Node& usp, Frame& f) {
    std::vector<const Row*> ports;
    for (const std::string& child : usp.children) {
      const Row& r = nodes_[child].row;
      if (r.type == RowType::kComponent) ports.push_back(&r);
    }
    if (ports.empty() || usp.row.flags.find('!') != std::string::npos) return;
    for (auto [name, field] : {std::pair{"read", &Row::read}, std::pair{"write", &Row::write}}) {
      const std::optional<double>& up = usp.row.*field;
      if (!up) continue;
      double sum = 0;
      bool known = true;
      for (const Row* p : ports) {
        if (!(p->*field) || p->flags.find('!') != std::string::npos) known = false;
        sum += (p->*field).value_or(0);
      }
      if (!known) continue;
      const double diff = std::abs(*up - sum);
      if (diff > kConservationFloor && diff > kConservationTolerance * std::max(*up, sum)) {
        add_flag(usp.row.flags, 'C');
        const std::string line = fmt::format(
            "{}: {} {}B/s upstream, {}B/s summed over its downstream ports "
            "(tolerance {:.0f}%)",
            usp.row.id, name, si_scaled(*up, 1), si_scaled(sum, 1), kConservationTolerance * 100);
        usp.row.note = line;
        f.conservation.push_back(line);
      }
    }
  }

  void finish(Row& row, Frame& f) {
    if (row.util && *row.util >= kSaturated) add_flag(row.flags, 'S');
    if (!in_.alerts) return;
    for (const Alert& a : *in_.alerts) {
      const auto value = column_value(row, a.column);
      if (!value || !a.fires(*value)) continue;
      row.alert = true;
      if (row.type == RowType::kCpmu) {
        const std::string shown = a.column == Column::kUtil
                                      ? fmt::format("{:.1f}%", *value)
                                      : si_scaled(*value, 1) + (a.column == Column::kRequests ? "/s" : "B/s");
        f.alerts.push_back(fmt::format("{}: {} ({})", row.id, a.text, shown));
      }
    }
  }

  bool has_data(const Row& r) const { return r.read || r.write || r.requests; }

  void totals(Frame& f) {
    for (auto& [id, n] : nodes_) {
      if (n.row.type != RowType::kComponent || !has_data(n.row)) continue;
      bool covered = false;
      for (std::string up = n.parent; !up.empty(); up = nodes_[up].parent) {
        if (nodes_[up].row.type == RowType::kComponent && has_data(nodes_[up].row)) covered = true;
      }
      if (covered) continue;
      if (n.row.read) f.read = f.read.value_or(0) + *n.row.read;
      if (n.row.write) f.write = f.write.value_or(0) + *n.row.write;
      if (n.row.requests) f.requests = f.requests.value_or(0) + *n.row.requests;
    }
  }

  void meters(Frame& f) {
    for (auto& [id, n] : nodes_) {
      if (n.row.type == RowType::kComponent && n.row.util) f.meters.push_back({n.row.label, *n.row.util});
    }
    std::stable_sort(f.meters.begin(), f.meters.end(), [](const Meter& a, const Meter& b) { return a.util > b.util; });
    if (f.meters.size() > kMeters) f.meters.resize(kMeters);
  }

  bool matches(const Row& r) const {
    if (in_.filter.empty()) return true;
    const std::string needle = lower(in_.filter);
    return lower(r.id).find(needle) != std::string::npos || lower(r.memdev).find(needle) != std::string::npos ||
           lower(r.kind).find(needle) != std::string::npos || lower(r.label).find(needle) != std::string::npos;
  }

  bool visible(const std::string& id) {
    if (auto it = visible_.find(id); it != visible_.end()) return it->second;
    bool v = matches(nodes_[id].row);
    for (const std::string& c : nodes_[id].children) v = visible(c) || v;
    return visible_[id] = v;
  }

  void sort(std::vector<std::string>& ids) {
    const Column column = in_.settings->sort;
    const bool invert = in_.settings->invert;
    std::stable_sort(ids.begin(), ids.end(), [&](const std::string& a, const std::string& b) {
      if (column == Column::kName) return invert ? b < a : a < b;
      const auto va = column_value(nodes_[a].row, column), vb = column_value(nodes_[b].row, column);
      // Biggest first, as htop; rows without a value last either way.
      if (va.has_value() != vb.has_value()) return va.has_value();
      if (!va) return a < b;
      return invert ? *va < *vb : *va > *vb;
    });
  }

  void walk(const std::string& id, const std::string& lines, bool last, int depth, Frame& f) {
    Node& n = nodes_[id];
    Row row = n.row;
    row.depth = depth;
    const TextGlyphs& g = in_.ascii ? ascii_glyphs() : unicode_glyphs();
    row.prefix = depth == 0 ? "" : lines + std::string(last ? g.last : g.branch);
    row.collapsed = in_.collapsed && in_.collapsed->count(id) > 0;
    row.has_children = !n.children.empty();
    f.rows.push_back(row);
    if (row.collapsed) return;
    std::vector<std::string> children;
    for (const std::string& c : n.children) {
      if (visible(c)) children.push_back(c);
    }
    sort(children);
    const std::string below = depth == 0 ? "" : lines + (last ? "  " : std::string(g.vertical) + " ");
    for (std::size_t i = 0; i < children.size(); ++i) walk(children[i], below, i + 1 == children.size(), depth + 1, f);
  }

  void order(Frame& f) {
    if (in_.settings->tree) {
      std::vector<std::string> roots;
      for (const std::string& r : roots_) {
        if (visible(r)) roots.push_back(r);
      }
      std::sort(roots.begin(), roots.end());
      for (const std::string& r : roots) walk(r, "", true, 0, f);
      return;
    }
    std::vector<std::string> flat;
    for (auto& [id, n] : nodes_) {
      if (n.row.type == RowType::kCpmu && matches(n.row)) flat.push_back(id);
    }
    sort(flat);
    for (const std::string& id : flat) {
      Row row = nodes_[id].row;
      row.label =
          id + " " + short_kind(nodes_[nodes_[id].parent].row.kind) + (row.memdev.empty() ? "" : " " + row.memdev);
      f.rows.push_back(std::move(row));
    }
  }

  const FrameInput& in_;
  std::map<std::string, Node> nodes_;
  std::vector<std::string> roots_;
  std::map<std::string, Capacity> capacity_;
  std::map<std::string, bool> visible_;
};

}  // namespace

double link_bytes_per_second(double gt_s, unsigned width) {
  const double encoding = gt_s <= 5.0 ? 8.0 / 10.0 : gt_s <= 32.0 ? 128.0 / 130.0 : 242.0 / 256.0;
  return gt_s * 1e9 * width * encoding / 8.0;
}

std::optional<double> column_value(const Row& row, Column column) {
  switch (column) {
    case Column::kRead: return row.read;
    case Column::kWrite: return row.write;
    case Column::kRequests: return row.requests;
    case Column::kUtil: return row.util ? std::optional<double>(*row.util * 100) : std::nullopt;
    case Column::kName:
    case Column::kEvents:
    case Column::kFlags: return std::nullopt;
  }
  return std::nullopt;
}

Frame build_frame(const FrameInput& input) { return Builder(input).build(); }

}  // namespace cpmu::top
