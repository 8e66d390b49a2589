#include "cpmu/event_term.hpp"
#include "cpmu/printable_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "events/lexical.hpp"

namespace cpmu {

namespace {

// The kernel cxl_pmu format/ fields (cxl-facts §3.1). `flag` fields may be
// written without "=value", meaning 1.
struct Field {
  std::string_view key;
  std::uint64_t max;
  bool flag;
  bool selects_event;  // vid, gid and mask choose the event; the rest modify it
};
enum FieldIndex : std::size_t { kVid, kGid, kMask, kThreshold, kEdge, kInvert, kHdm, kHdmFilterEn, kFieldCount };
// Threshold is 16 bits in config1, but the counter register keeps only 8.
constexpr std::array<Field, kFieldCount> kFields = {{
    {"vid", 0xffff, false, true},
    {"gid", 0xffff, false, true},
    {"mask", 0xffffffff, false, true},
    {"threshold", 0xff, false, false},
    {"edge", 1, true, false},
    {"invert", 1, true, false},
    {"hdm", 0xffff, false, false},
    {"hdm_filter_en", 1, true, false},
}};

const Field* find_field(std::string_view key) {
  const auto it = std::find_if(kFields.begin(), kFields.end(), [&](const Field& f) { return f.key == key; });
  return it == kFields.end() ? nullptr : &*it;
}

std::string field_list() {
  std::string out;
  for (const auto& f : kFields) out += (out.empty() ? "" : ", ") + std::string(f.key);
  return out;
}

// A piece of the input: its text and where it starts (0-based).
struct Span {
  std::string_view text;
  std::size_t pos;
};

// One event being assembled from a name and/or fields.
struct Draft {
  std::size_t start = 0;
  std::size_t end = 0;
  std::string pmu;
  std::string name;
  std::optional<EventCode> named_code;
  std::array<std::optional<std::uint64_t>, kFieldCount> values;
  bool open = false;  // later field pieces may still join it
};

class TermParser {
 public:
  TermParser(std::string_view text, const EventCatalogue& catalogue) : text_(text), catalogue_(catalogue) {}

  Result<std::vector<EventTerm>> run() {
    std::size_t start = 0;
    for (;;) {
      std::size_t end = start;
      std::optional<std::size_t> open_slash;
      while (end < text_.size() && (open_slash || text_[end] != ',')) {
        if (text_[end] == '/') open_slash = open_slash ? std::nullopt : std::optional<std::size_t>(end);
        ++end;
      }
      const bool ok = open_slash ? fail(piece(start, end), *open_slash, "missing the closing '/' of this '/'")
                                 : take(piece(start, end));
      if (!ok) return std::move(*error_);
      if (end >= text_.size()) break;
      start = end + 1;
    }
    if (!close()) return std::move(*error_);
    return std::move(terms_);
  }

 private:
  // The piece from `start` to `end`, without surrounding spaces.
  Span piece(std::size_t start, std::size_t end) const {
    while (start < end && text_[start] == ' ') ++start;
    while (end > start && text_[end - 1] == ' ') --end;
    return {text_.substr(start, end - start), start};
  }

  bool fail(Span term, std::size_t at, std::string_view problem) {
    error_ = Error(Errc::kInvalidArgument,
                   fmt::format("event term '{}' at position {}: {}", printable(term.text), at + 1, problem));
    return false;
  }

  bool take(Span p) {
    if (p.text.empty()) return fail(p, p.pos, "empty term");
    if (p.text.find('/') != std::string_view::npos) return close() && slashed(p);
    const auto eq = p.text.find('=');
    const Field* field = find_field(p.text.substr(0, eq));
    if (!field) {
      if (eq != std::string_view::npos) return unknown_field(p, p.text.substr(0, eq), p.pos);
      if (!close()) return false;
      start_draft(p.pos);
      draft_.end = p.pos + p.text.size();
      return apply_names(p, p, draft_);
    }
    const auto index = static_cast<std::size_t>(field - kFields.data());
    const bool joins = draft_.open && !draft_.values[index] && !(field->selects_event && draft_.named_code);
    if (!joins) {
      if (!close()) return false;
      start_draft(p.pos);
    }
    draft_.end = p.pos + p.text.size();
    return apply_field(p, p, draft_);
  }

  void start_draft(std::size_t pos) {
    draft_ = Draft();
    draft_.start = pos;
    draft_.open = true;
  }

  // "pmu/terms/": one event, all of whose fields sit between the slashes.
  bool slashed(Span p) {
    const auto first = p.text.find('/');
    const auto second = p.text.find('/', first + 1);
    const std::string_view pmu = p.text.substr(0, first);
    if (pmu.empty()) return fail(p, p.pos, "a PMU name must come before '/'");
    const auto bad = std::find_if(pmu.begin(), pmu.end(), [](char c) {
      return !detail::is_name_char(c) && c != '.' && c != '-';
    });
    if (bad != pmu.end()) {
      return fail(p, p.pos + static_cast<std::size_t>(bad - pmu.begin()),
                  fmt::format("'{}' cannot be part of a PMU name", *bad));
    }
    if (second + 1 < p.text.size()) {
      return fail(p, p.pos + second + 1, "unexpected text after the closing '/'");
    }
    Draft draft;
    draft.pmu = std::string(pmu);
    std::size_t start = first + 1;
    for (;;) {
      const auto comma = std::min(p.text.find(',', start), second);
      const Span inner{p.text.substr(start, comma - start), p.pos + start};
      if (inner.text.empty()) return fail(p, inner.pos, "empty term between '/' and '/'");
      const auto eq = inner.text.find('=');
      const Field* field = find_field(inner.text.substr(0, eq));
      if (field) {
        if (!apply_field(p, inner, draft)) return false;
      } else if (eq != std::string_view::npos) {
        return unknown_field(p, inner.text.substr(0, eq), inner.pos);
      } else if (!draft.name.empty()) {
        return fail(p, inner.pos, fmt::format("a second event name '{}'", inner.text));
      } else if (!apply_names(p, inner, draft)) {
        return false;
      }
      if (comma == second) break;
      start = comma + 1;
    }
    return finish(p, std::move(draft));
  }

  bool unknown_field(Span p, std::string_view key, std::size_t at) {
    return fail(p, at, fmt::format("unknown field '{}' (fields: {})", key, field_list()));
  }

  // "key" or "key=value" of a known field, into `draft`.
  bool apply_field(Span term, Span p, Draft& draft) {
    const auto eq = p.text.find('=');
    const Field& field = *find_field(p.text.substr(0, eq));
    auto& slot = draft.values[static_cast<std::size_t>(&field - kFields.data())];
    if (slot) return fail(term, p.pos, fmt::format("'{}' is given twice", field.key));
    if (field.selects_event && draft.named_code) {
      return fail(term, p.pos, fmt::format("'{}' cannot be combined with event '{}'", field.key, draft.name));
    }
    if (eq == std::string_view::npos) {
      if (!field.flag) return fail(term, p.pos, fmt::format("'{}' needs a value", field.key));
      slot = 1;
      return true;
    }
    const std::string_view value = p.text.substr(eq + 1);
    const auto number = detail::parse_unsigned(value);
    if (!number) return fail(term, p.pos + eq + 1, fmt::format("'{}' is not a number", value));
    if (*number > field.max) {
      return fail(term, p.pos + eq + 1, fmt::format("{} is too big for '{}' (at most {:#x})", value, field.key,
                                                    field.max));
    }
    slot = *number;
    return true;
  }

  // "a" or "a+b+c": catalogue events or aggregates of one group.
  bool apply_names(Span term, Span p, Draft& draft) {
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      if (draft.values[i] && kFields[i].selects_event) {
        return fail(term, p.pos, fmt::format("an event name cannot be combined with '{}'", kFields[i].key));
      }
    }
    EventCode sum;
    std::size_t start = 0;
    for (;;) {
      const auto plus = p.text.find('+', start);
      const std::string_view name = p.text.substr(start, plus == std::string_view::npos ? plus : plus - start);
      const std::size_t at = p.pos + start;
      if (name.empty()) return fail(term, at, "expected an event name");
      const auto code = catalogue_.resolve(name);
      if (!code) {
        if (catalogue_.find_metric(name)) return fail(term, at, fmt::format("'{}' is a metric, not an event", name));
        if (auto problem = detail::name_problem(name); !problem.empty()) {
          return fail(term, at, fmt::format("'{}' is not an event name: {}", name, problem));
        }
        return fail(term, at, fmt::format("unknown event '{}'", name));
      }
      if (start == 0) {
        sum = *code;
      } else if (code->vid != sum.vid || code->gid != sum.gid) {
        return fail(term, at, fmt::format("'{}' is in another event group than the events before it", name));
      } else if (code->mask & sum.mask) {
        return fail(term, at, fmt::format("'{}' counts a bit already selected", name));
      } else {
        sum.mask |= code->mask;
      }
      if (plus == std::string_view::npos) break;
      start = plus + 1;
    }
    draft.name = std::string(p.text);
    draft.named_code = sum;
    return true;
  }

  // Ends the event being assembled outside slashes, if any.
  bool close() {
    if (!draft_.open) return true;
    draft_.open = false;
    return finish(piece(draft_.start, draft_.end), std::move(draft_));
  }

  bool finish(Span term, Draft draft) {
    EventCode code;
    if (draft.named_code) {
      code = *draft.named_code;
    } else {
      for (std::size_t i : {kVid, kGid, kMask}) {
        if (!draft.values[i]) {
          return fail(term, term.pos, fmt::format("missing '{}' (an event needs a name, or vid, gid and mask)",
                                                  kFields[i].key));
        }
      }
      code = {static_cast<std::uint16_t>(*draft.values[kVid]), static_cast<std::uint16_t>(*draft.values[kGid]),
              static_cast<std::uint32_t>(*draft.values[kMask])};
      if (code.mask == 0) return fail(term, term.pos, "mask 0 selects no event");
    }
    EventTerm out;
    out.text = std::string(term.text);
    out.pmu = std::move(draft.pmu);
    out.name = std::move(draft.name);
    out.code = code;
    out.threshold = static_cast<std::uint8_t>(draft.values[kThreshold].value_or(0));
    out.edge = draft.values[kEdge].value_or(0) != 0;
    out.invert = draft.values[kInvert].value_or(0) != 0;
    // hdm alone selects the filter; hdm_filter_en=1 alone filters on decoder 0, as with perf.
    const bool filter = draft.values[kHdmFilterEn] ? *draft.values[kHdmFilterEn] != 0 : draft.values[kHdm].has_value();
    if (filter) out.hdm = static_cast<std::uint16_t>(draft.values[kHdm].value_or(0));
    terms_.push_back(std::move(out));
    return true;
  }

  std::string_view text_;
  const EventCatalogue& catalogue_;
  Draft draft_;
  std::vector<EventTerm> terms_;
  std::optional<Error> error_;
};

}  // namespace

Result<std::vector<EventTerm>> parse_event_terms(std::string_view text, const EventCatalogue& catalogue) {
  return TermParser(text, catalogue).run();
}

PerfEventConfig perf_event_config(const EventTerm& term) {
  PerfEventConfig config;
  config.config = term.code.config();
  config.config1 = term.threshold | std::uint64_t{term.invert} << 16 | std::uint64_t{term.edge} << 17 |
                   std::uint64_t{term.hdm.has_value()} << 18;
  config.config2 = term.hdm.value_or(0);
  return config;
}

}  // namespace cpmu
