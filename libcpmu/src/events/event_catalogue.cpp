// Merging catalogue files into one EventCatalogue (precedence between levels,
// conflicts within a level, links from aggregates and metrics to events),
// and the catalogue's lookups by name.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <variant>

#include "cpmu/events.hpp"
#include "events/catalogue_file.hpp"

namespace cpmu {

namespace {

using detail::CatalogueFile;
using detail::FileEvent;
using detail::FileGroup;
using detail::FileMetric;

Error issue(const std::string& file, std::size_t line, std::string_view pointer, std::string_view problem) {
  return Error(Errc::kMalformed, fmt::format("{}:{}: {}: {}", file, line, pointer, problem));
}

// Everything but where it was written down.
bool same_definition(const FileEvent& a, const FileEvent& b) {
  const EventInfo& x = a.info;
  const EventInfo& y = b.info;
  return std::tie(x.kind, x.unit, x.description, x.kernel_since, x.members) ==
             std::tie(y.kind, y.unit, y.description, y.kernel_since, y.members) &&
         x.code == y.code;
}
bool same_definition(const FileMetric& a, const FileMetric& b) {
  return std::tie(a.info.formula.text(), a.info.unit, a.info.description) ==
         std::tie(b.info.formula.text(), b.info.unit, b.info.description);
}
bool same_definition(const FileEvent&, const FileMetric&) { return false; }
bool same_definition(const FileMetric&, const FileEvent&) { return false; }
bool same_definition(const FileGroup& a, const FileGroup& b) {
  return a.info.name == b.info.name && a.info.description == b.info.description;
}

template <typename Def>
struct Defined {
  unsigned level;
  Def def;
};
using Named = std::variant<Defined<FileEvent>, Defined<FileMetric>>;

unsigned level_of(const Named& named) {
  return std::visit([](const auto& d) { return d.level; }, named);
}
const SourceRef& source_of(const Named& named) {
  return std::visit([](const auto& d) -> const SourceRef& { return d.def.info.source; }, named);
}

std::uint32_t group_key(std::uint16_t vid, std::uint16_t gid) { return static_cast<std::uint32_t>(vid) << 16 | gid; }

struct Merged {
  std::vector<std::pair<EventInfo, unsigned>> events;  // with their level
  std::vector<MetricInfo> metrics;
  std::vector<GroupInfo> groups;
};

class Merger {
 public:
  explicit Merger(std::vector<Error>& issues) : issues_(issues) {}

  void add(CatalogueFile file, unsigned level) {
    if (auto error = conflict(file, level)) {
      issues_.push_back(std::move(*error));
      return;
    }
    for (auto& event : file.events) define(Defined<FileEvent>{level, std::move(event)});
    for (auto& metric : file.metrics) define(Defined<FileMetric>{level, std::move(metric)});
    for (auto& group : file.groups) {
      const auto key = group_key(group.info.vid, group.info.gid);
      auto it = groups_.find(key);
      if (it == groups_.end()) {
        groups_.emplace(key, Defined<FileGroup>{level, std::move(group)});
      } else if (it->second.level < level) {
        it->second = Defined<FileGroup>{level, std::move(group)};
      }
    }
  }

  // Links aggregates and metrics to the events that won, dropping those that
  // name something missing; so their events may come from any file.
  Merged finish() {
    Merged out;
    std::set<std::string, std::less<>> countable;
    for (const auto& [name, named] : names_) {
      const auto* event = std::get_if<Defined<FileEvent>>(&named);
      if (event && event->def.info.kind == EventKind::kEvent) {
        out.events.emplace_back(event->def.info, event->level);
        countable.insert(name);
      }
    }
    for (const auto& [name, named] : names_) {
      const auto* aggregate = std::get_if<Defined<FileEvent>>(&named);
      if (!aggregate || aggregate->def.info.kind != EventKind::kAggregate) continue;
      if (auto linked = link_aggregate(aggregate->def)) {
        out.events.emplace_back(std::move(*linked), aggregate->level);
        countable.insert(name);
      }
    }
    for (const auto& [name, named] : names_) {
      const auto* metric = std::get_if<Defined<FileMetric>>(&named);
      if (metric && check_metric(metric->def, countable)) out.metrics.push_back(metric->def.info);
    }
    for (const auto& [key, group] : groups_) out.groups.push_back(group.def.info);
    return out;
  }

 private:
  template <typename Def>
  void define(Defined<Def> definition) {
    std::string name = definition.def.info.name;  // a copy: the definition moves below
    auto it = names_.find(name);
    // Same level means an identical definition (conflicts were refused): the first file stays its source.
    if (it != names_.end() && level_of(it->second) == definition.level) return;
    names_.insert_or_assign(name, Named(std::move(definition)));
  }

  // A definition that differs from one another file of the same level made.
  std::optional<Error> conflict(const CatalogueFile& file, unsigned level) const {
    auto check = [&](const auto& entry) -> std::optional<Error> {
      const auto it = names_.find(entry.info.name);
      if (it == names_.end() || level_of(it->second) != level) return std::nullopt;
      const bool same = std::visit([&](const auto& existing) { return same_definition(existing.def, entry); },
                                   it->second);
      if (same) return std::nullopt;
      const SourceRef& other = source_of(it->second);
      return issue(entry.info.source.file, entry.info.source.line, entry.pointer + "/name",
                   fmt::format("'{}' is defined differently at {}:{}", entry.info.name, other.file, other.line));
    };
    for (const auto& event : file.events) {
      if (auto error = check(event)) return error;
    }
    for (const auto& metric : file.metrics) {
      if (auto error = check(metric)) return error;
    }
    for (const auto& group : file.groups) {
      const auto it = groups_.find(group_key(group.info.vid, group.info.gid));
      if (it == groups_.end() || it->second.level != level || same_definition(it->second.def, group)) continue;
      const SourceRef& other = it->second.def.info.source;
      return issue(group.info.source.file, group.info.source.line, group.pointer + "/gid",
                   fmt::format("group vid={:#x},gid={:#x} is described differently at {}:{}", group.info.vid,
                               group.info.gid, other.file, other.line));
    }
    return std::nullopt;
  }

  // The aggregate with its code, or nullopt after recording why not.
  std::optional<EventInfo> link_aggregate(const FileEvent& aggregate) {
    EventInfo info = aggregate.info;
    for (std::size_t i = 0; i < info.members.size(); ++i) {
      const std::string& member = info.members[i];
      auto fail = [&](std::string_view problem) {
        issues_.push_back(issue(info.source.file, aggregate.member_lines[i],
                                fmt::format("{}/events/{}", aggregate.pointer, i), problem));
        return std::nullopt;
      };
      const auto it = names_.find(member);
      const auto* event = it == names_.end() ? nullptr : std::get_if<Defined<FileEvent>>(&it->second);
      if (!event) return fail(fmt::format("unknown event '{}'", member));
      const EventCode& code = event->def.info.code;
      if (event->def.info.kind != EventKind::kEvent) {
        return fail(fmt::format("'{}' is an aggregate; an aggregate sums events", member));
      }
      if (i == 0) {
        info.code = {code.vid, code.gid, 0};
      } else if (code.vid != info.code.vid || code.gid != info.code.gid) {
        return fail(fmt::format("'{}' is in group vid={:#x},gid={:#x}, not vid={:#x},gid={:#x} like '{}'", member,
                                code.vid, code.gid, info.code.vid, info.code.gid, info.members[0]));
      }
      if (info.code.mask & code.mask) return fail(fmt::format("'{}' counts a bit another member counts", member));
      info.code.mask |= code.mask;
    }
    return info;
  }

  bool check_metric(const FileMetric& metric, const std::set<std::string, std::less<>>& countable) {
    for (const auto& name : metric.info.formula.names()) {
      if (countable.count(name)) continue;
      const auto it = names_.find(name);
      const bool is_metric = it != names_.end() && std::holds_alternative<Defined<FileMetric>>(it->second);
      issues_.push_back(issue(metric.info.source.file, metric.formula_line, metric.pointer + "/formula",
                              is_metric ? fmt::format("'{}' is a metric; formulas use events and aggregates", name)
                                        : fmt::format("unknown event '{}'", name)));
      return false;
    }
    return true;
  }

  std::vector<Error>& issues_;
  std::map<std::string, Named, std::less<>> names_;
  std::map<std::uint32_t, Defined<FileGroup>> groups_;
};

}  // namespace

CatalogueLoad build_event_catalogue(std::span<const EventFileLevel> levels) {
  CatalogueLoad load;
  Merger merger(load.issues);
  for (unsigned level = 0; level < levels.size(); ++level) {
    std::vector<const EventFileText*> files;
    for (const auto& file : levels[level]) files.push_back(&file);
    std::stable_sort(files.begin(), files.end(), [](auto* a, auto* b) { return a->name < b->name; });
    for (const auto* file : files) {
      auto parsed = detail::parse_catalogue_file(file->text, file->name);
      if (!parsed) {
        load.issues.push_back(parsed.error());
        continue;
      }
      merger.add(std::move(*parsed), level);
    }
  }
  Merged merged = merger.finish();

  EventCatalogue& cat = load.catalogue;
  auto order = [](const EventInfo& e) {
    return std::make_tuple(e.code.vid, e.code.gid, e.kind, e.kind == EventKind::kEvent ? e.code.mask : 0, e.name);
  };
  std::sort(merged.events.begin(), merged.events.end(),
            [&](const auto& a, const auto& b) { return order(a.first) < order(b.first); });
  // Several names for one code: the highest level's wins, then the first by name.
  std::map<std::uint64_t, std::pair<unsigned, std::string>> preferred;
  for (auto& [info, level] : merged.events) {
    const std::size_t index = cat.events_.size();
    cat.by_name_.emplace(info.name, EventCatalogue::NameRef{false, index});
    auto [it, fresh] = preferred.try_emplace(info.code.config(), level, info.name);
    if (fresh || level > it->second.first || (level == it->second.first && info.name < it->second.second)) {
      it->second = {level, info.name};
      cat.by_code_[info.code.config()] = index;
    }
    cat.events_.push_back(std::move(info));
  }
  cat.metrics_ = std::move(merged.metrics);  // names_ is ordered, so these are by name
  for (std::size_t i = 0; i < cat.metrics_.size(); ++i) {
    cat.by_name_.emplace(cat.metrics_[i].name, EventCatalogue::NameRef{true, i});
  }
  cat.groups_ = std::move(merged.groups);  // ordered by vid << 16 | gid
  return load;
}

const EventInfo* EventCatalogue::find_event(std::string_view name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() || it->second.metric ? nullptr : &events_[it->second.index];
}

const MetricInfo* EventCatalogue::find_metric(std::string_view name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() || !it->second.metric ? nullptr : &metrics_[it->second.index];
}

const GroupInfo* EventCatalogue::find_group(std::uint16_t vid, std::uint16_t gid) const {
  const auto it = std::find_if(groups_.begin(), groups_.end(),
                               [&](const GroupInfo& g) { return g.vid == vid && g.gid == gid; });
  return it == groups_.end() ? nullptr : &*it;
}

}  // namespace cpmu
