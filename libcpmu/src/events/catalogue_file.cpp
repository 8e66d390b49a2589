#include "events/catalogue_file.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <optional>

#include "events/json_locator.hpp"
#include "events/lexical.hpp"

namespace cpmu::detail {

namespace {

using Json = nlohmann::json;
using Keys = std::initializer_list<std::string_view>;

constexpr std::int64_t kSchemaVersion = 1;

std::string join(Keys keys) {
  std::string out;
  for (auto key : keys) out += (out.empty() ? "" : ", ") + std::string(key);
  return out;
}

// Walks a parsed document, checking every rule of one file and stopping at
// the first problem, which it reports at the line its JSON pointer starts on.
class FileParser {
 public:
  FileParser(std::string_view text, std::string_view file) : file_(file), locator_(text) {
    out_.name = std::string(file);
  }

  Result<CatalogueFile> run(const Json& doc) {
    if (const auto& dup = locator_.duplicate_key()) {
      fail(dup->pointer, "the same key appears twice in one object", dup->line);
    } else {
      read_document(doc);
    }
    if (error_) return std::move(*error_);
    return std::move(out_);
  }

 private:
  // Records the first problem; `line` 0 means the line where `pointer` starts.
  bool fail(std::string_view pointer, std::string_view problem, std::size_t line = 0) {
    if (!error_) {
      error_ = Error(Errc::kMalformed, fmt::format("{}:{}: {}: {}", file_, line ? line : locator_.line_of(pointer),
                                                   pointer.empty() ? "(top level)" : pointer, problem));
    }
    return false;
  }

  bool read_document(const Json& doc) {
    return check_object(doc, "", {"schema_version", "description", "groups", "events", "aggregates", "metrics"},
                        {"schema_version"}) &&
           read_schema_version(doc) && read_text(doc, "", "description") &&
           each(doc, "groups", &FileParser::read_group) && each(doc, "events", &FileParser::read_event) &&
           each(doc, "aggregates", &FileParser::read_aggregate) && each(doc, "metrics", &FileParser::read_metric);
  }

  std::size_t line(const std::string& pointer) const { return locator_.line_of(pointer); }

  bool check_object(const Json& value, const std::string& pointer, Keys allowed, Keys required) {
    if (!value.is_object()) return fail(pointer, fmt::format("expected an object, found {}", value.type_name()));
    for (const auto& item : value.items()) {
      const std::string& key = item.key();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return fail(pointer + "/" + json_pointer_token(key),
                    fmt::format("unknown key '{}' (expected one of: {})", key, join(allowed)));
      }
    }
    for (auto key : required) {
      if (!value.contains(key)) return fail(pointer, fmt::format("missing required key '{}'", key));
    }
    return true;
  }

  // Calls `read(entry, pointer)` for each element of the optional array `key`.
  bool each(const Json& doc, std::string_view key, bool (FileParser::*read)(const Json&, const std::string&)) {
    const auto it = doc.find(key);
    if (it == doc.end()) return true;
    const std::string pointer = "/" + std::string(key);
    if (!it->is_array()) return fail(pointer, fmt::format("expected an array, found {}", it->type_name()));
    for (std::size_t i = 0; i < it->size(); ++i) {
      if (!(this->*read)((*it)[i], pointer + "/" + std::to_string(i))) return false;
    }
    return true;
  }

  bool read_schema_version(const Json& doc) {
    const Json& v = doc["schema_version"];
    if (!v.is_number_integer() || v.get<std::int64_t>() != kSchemaVersion) {
      return fail("/schema_version", fmt::format("unsupported schema_version {} (this cpmu reads version {})",
                                                 v.is_number() || v.is_string() ? v.dump() : v.type_name(),
                                                 kSchemaVersion));
    }
    return true;
  }

  // Reads an optional non-empty string into `out` (left as is when absent).
  bool read_text(const Json& object, const std::string& pointer, std::string_view key, std::string* out = nullptr) {
    const auto it = object.find(key);
    if (it == object.end()) return true;
    const std::string at = pointer + "/" + std::string(key);
    if (!it->is_string()) return fail(at, fmt::format("expected a string, found {}", it->type_name()));
    if (it->get_ref<const std::string&>().empty()) return fail(at, "must not be empty");
    if (out) *out = it->get<std::string>();
    return true;
  }

  // Units are a closed set (units.hpp): a spelling outside it is an error
  // naming the spellings there are, so a catalogue cannot invent new ones.
  bool read_unit(const Json& object, const std::string& pointer, Unit& out) {
    std::string text;
    if (!read_text(object, pointer, "unit", &text)) return false;
    if (auto unit = parse_unit(text)) {
      out = *unit;
      return true;
    }
    std::string known;
    for (Unit unit : kAllUnits) known += (known.empty() ? "" : ", ") + std::string(unit_name(unit));
    return fail(pointer + "/unit", fmt::format("unknown unit '{}' (expected one of: {})", text.substr(0, 64), known));
  }

  bool read_name(const Json& value, const std::string& pointer, std::string& out) {
    if (!value.is_string()) return fail(pointer, fmt::format("expected a name (string), found {}", value.type_name()));
    const auto& name = value.get_ref<const std::string&>();
    if (auto problem = name_problem(name); !problem.empty()) {
      return fail(pointer, fmt::format("invalid name '{}': {}", name.substr(0, kMaxNameLength), problem));
    }
    out = name;
    return true;
  }

  // An integer up to `max`, or for IDs also a "0x" hexadecimal string.
  bool read_number(const Json& value, const std::string& pointer, std::uint64_t max, std::uint64_t& out,
                   bool hex_string_allowed) {
    std::optional<std::uint64_t> number;
    if (value.is_number_unsigned()) {
      number = value.get<std::uint64_t>();
    } else if (value.is_number_integer()) {
      return fail(pointer, fmt::format("{} is negative", value.get<std::int64_t>()));
    } else if (value.is_string() && hex_string_allowed) {
      const auto& text = value.get_ref<const std::string&>();
      if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) number = parse_unsigned(text);
      if (!number) return fail(pointer, fmt::format("'{}' is not a hexadecimal number like \"0x1e98\"", text));
    } else {
      return fail(pointer, fmt::format("expected an integer, found {}", value.type_name()));
    }
    if (*number > max) return fail(pointer, fmt::format("{} is out of range 0..{}", *number, max));
    out = *number;
    return true;
  }

  bool read_vid_gid(const Json& entry, const std::string& pointer, std::uint16_t& vid, std::uint16_t& gid) {
    std::uint64_t v = 0;
    std::uint64_t g = 0;
    if (!read_number(entry["vid"], pointer + "/vid", 0xffff, v, true) ||
        !read_number(entry["gid"], pointer + "/gid", 0xffff, g, true)) {
      return false;
    }
    vid = static_cast<std::uint16_t>(v);
    gid = static_cast<std::uint16_t>(g);
    return true;
  }

  // Names are unique across events, aggregates and metrics of one file.
  bool claim_name(const std::string& name, const std::string& pointer) {
    const std::size_t at = line(pointer + "/name");
    if (auto [it, fresh] = names_.emplace(name, at); !fresh) {
      return fail(pointer + "/name", fmt::format("duplicate name '{}' (first defined at line {})", name, it->second));
    }
    return true;
  }

  bool read_group(const Json& entry, const std::string& pointer) {
    FileGroup group{{}, pointer};
    GroupInfo& info = group.info;
    if (!check_object(entry, pointer, {"vid", "gid", "name", "description"}, {"vid", "gid", "name"}) ||
        !read_vid_gid(entry, pointer, info.vid, info.gid) || !read_text(entry, pointer, "name", &info.name) ||
        !read_text(entry, pointer, "description", &info.description)) {
      return false;
    }
    info.source = {out_.name, line(pointer + "/name")};
    const auto key = static_cast<std::uint32_t>(info.vid) << 16 | info.gid;
    if (auto [it, fresh] = groups_.emplace(key, info.source.line); !fresh) {
      return fail(pointer + "/gid", fmt::format("group vid={:#x},gid={:#x} is already described at line {}",
                                                info.vid, info.gid, it->second));
    }
    out_.groups.push_back(std::move(group));
    return true;
  }

  bool read_event(const Json& entry, const std::string& pointer) {
    FileEvent event{{}, pointer, {}};
    EventInfo& info = event.info;
    std::uint64_t bit = 0;
    if (!check_object(entry, pointer, {"name", "vid", "gid", "bit", "unit", "kernel_since", "description"},
                      {"name", "vid", "gid", "bit", "unit", "description"}) ||
        !read_name(entry["name"], pointer + "/name", info.name) ||
        !read_vid_gid(entry, pointer, info.code.vid, info.code.gid) ||
        !read_number(entry["bit"], pointer + "/bit", 31, bit, false) || !read_unit(entry, pointer, info.unit) ||
        !read_text(entry, pointer, "kernel_since", &info.kernel_since) ||
        !read_text(entry, pointer, "description", &info.description) || !claim_name(info.name, pointer)) {
      return false;
    }
    info.code.mask = std::uint32_t{1} << bit;
    info.source = {out_.name, line(pointer + "/name")};
    const std::uint64_t key = info.code.config();
    if (auto [it, fresh] = bits_.emplace(key, info.name); !fresh) {
      return fail(pointer + "/bit", fmt::format("bit {} of vid={:#x},gid={:#x} is already named '{}' at line {}", bit,
                                                info.code.vid, info.code.gid, it->second, names_.at(it->second)));
    }
    out_.events.push_back(std::move(event));
    return true;
  }

  bool read_aggregate(const Json& entry, const std::string& pointer) {
    FileEvent aggregate{{}, pointer, {}};
    EventInfo& info = aggregate.info;
    info.kind = EventKind::kAggregate;
    if (!check_object(entry, pointer, {"name", "events", "unit", "description"},
                      {"name", "events", "unit", "description"}) ||
        !read_name(entry["name"], pointer + "/name", info.name) || !read_unit(entry, pointer, info.unit) ||
        !read_text(entry, pointer, "description", &info.description) || !claim_name(info.name, pointer)) {
      return false;
    }
    const Json& members = entry["events"];
    const std::string at = pointer + "/events";
    if (!members.is_array()) return fail(at, fmt::format("expected an array of event names, found {}", members.type_name()));
    if (members.size() < 2) return fail(at, "an aggregate needs at least 2 events");
    for (std::size_t i = 0; i < members.size(); ++i) {
      const std::string member_at = at + "/" + std::to_string(i);
      std::string member;
      if (!read_name(members[i], member_at, member)) return false;
      if (std::find(info.members.begin(), info.members.end(), member) != info.members.end()) {
        return fail(member_at, fmt::format("'{}' is listed twice", member));
      }
      info.members.push_back(std::move(member));
      aggregate.member_lines.push_back(line(member_at));
    }
    info.source = {out_.name, line(pointer + "/name")};
    out_.events.push_back(std::move(aggregate));
    return true;
  }

  bool read_metric(const Json& entry, const std::string& pointer) {
    FileMetric metric{{}, pointer, line(pointer + "/formula")};
    MetricInfo& info = metric.info;
    std::string formula;
    if (!check_object(entry, pointer, {"name", "formula", "unit", "description"},
                      {"name", "formula", "unit", "description"}) ||
        !read_name(entry["name"], pointer + "/name", info.name) ||
        !read_text(entry, pointer, "formula", &formula) || !read_unit(entry, pointer, info.unit) ||
        !read_text(entry, pointer, "description", &info.description) || !claim_name(info.name, pointer)) {
      return false;
    }
    auto parsed = Formula::parse(formula);
    if (!parsed) return fail(pointer + "/formula", parsed.error().message());
    info.formula = std::move(*parsed);
    info.source = {out_.name, line(pointer + "/name")};
    out_.metrics.push_back(std::move(metric));
    return true;
  }

  std::string_view file_;
  JsonLocator locator_;
  std::optional<Error> error_;
  CatalogueFile out_;
  std::map<std::string, std::size_t, std::less<>> names_;  // -> line
  std::map<std::uint64_t, std::string> bits_;                // config() -> name
  std::map<std::uint32_t, std::size_t> groups_;              // vid << 16 | gid -> line
};

// nlohmann names the byte (1-based) where it stopped; its own line and column
// are replaced by ours so that every message has the same shape.
Error syntax_error(std::string_view text, std::string_view file_name, std::size_t byte, std::string_view what) {
  const TextPosition pos = position_at(text, byte > 0 ? byte - 1 : 0);
  if (auto colon = what.find(": "); colon != std::string_view::npos) what.remove_prefix(colon + 2);
  return Error(Errc::kMalformed, fmt::format("{}:{}:{}: JSON syntax error: {}", file_name, pos.line, pos.column, what));
}

}  // namespace

Result<CatalogueFile> parse_catalogue_file(std::string_view text, std::string_view file_name) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return syntax_error(text, file_name, e.byte, e.what());
  } catch (const Json::exception& e) {
    // A number too big for a double (1e400) comes without a position, but
    // quoting the literal: it is placed where the literal first is.
    std::string_view what = e.what();
    if (const auto bracket = what.find("] "); bracket != std::string_view::npos) what.remove_prefix(bracket + 2);
    std::size_t byte = 0;
    if (const auto open = what.find('\''), close = what.rfind('\''); open != std::string_view::npos && close > open) {
      const std::size_t at = text.find(what.substr(open + 1, close - open - 1));
      if (at != std::string_view::npos) byte = at + 1;
    }
    return syntax_error(text, file_name, byte, what);
  }
  return FileParser(text, file_name).run(doc);
}

}  // namespace cpmu::detail
