#include "cpmu/perf_event_list.hpp"

#include <fmt/format.h>

namespace cpmu {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

Error at(std::size_t index, std::string message) {
  return Error(Errc::kInvalidArgument, fmt::format("position {}: {}", index + 1, message));
}

std::string modifier_problem(char m) {
  switch (m) {
    case 'u':
    case 'k':
    case 'h':
    case 'G':
    case 'H':
    case 'I':
      return "CPMU events are device events counted system-wide: there is no user/kernel/hypervisor/guest/idle "
             "split, and the kernel's cxl_pmu rejects every exclude bit (PERF_PMU_CAP_NO_EXCLUDE)";
    case 'p':
    case 'P':
    case 'S': return "cxl_pmu cannot sample (no perf record): counting only";
    case 'D':
    case 'W':
    case 'e': return "not supported by cpmu (its perf groups are always all-or-nothing, never pinned)";
    default: return "not a perf modifier";
  }
}

// A ':' right after an event's closing '/' or a group's '}' starts modifiers.
Status check_modifiers(std::string_view text, std::size_t colon) {
  std::size_t end = colon + 1;
  while (end < text.size() && text[end] != ',' && text[end] != '}' && !is_space(text[end])) ++end;
  if (end == colon + 1) return at(colon, "':' with no modifier after it");
  const char m = text[colon + 1];
  return at(colon + 1, fmt::format("modifier '{}': {}", m, modifier_problem(m)));
}

}  // namespace

Result<std::vector<PerfEventListPart>> split_perf_event_list(std::string_view text) {
  std::vector<PerfEventListPart> parts;
  std::string blank(text.size(), ' ');
  auto part = [&](std::size_t from, std::size_t to, std::optional<unsigned> group) {
    bool empty = true;
    for (std::size_t i = from; i < to; ++i) empty = empty && is_space(text[i]);
    if (empty) return;
    PerfEventListPart p{blank, group};
    p.text.replace(from, to - from, text.substr(from, to - from));
    parts.push_back(std::move(p));
  };
  unsigned groups = 0;
  std::size_t start = 0;  // of the part being gathered
  // Where the open group began; npos outside a group (not an optional:
  // GCC at -O1 warns of it as maybe uninitialised).
  constexpr std::size_t kNone = std::string_view::npos;
  std::size_t open = kNone;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ':' && i > 0 && (text[i - 1] == '/' || text[i - 1] == '}')) {
      if (auto s = check_modifiers(text, i); !s) return s.error();
    }
    if (c == '{') {
      if (open != kNone) return at(i, "'{' inside a group: groups do not nest");
      // Before '{': the start of the list or a ',' (which is dropped).
      std::size_t before = i;
      while (before > start && is_space(text[before - 1])) --before;
      if (before > start) {
        if (text[before - 1] != ',') return at(i, "'{' must follow a ',' or start the list");
        part(start, before - 1, std::nullopt);
      }
      open = i;
      start = i + 1;
    } else if (c == '}') {
      if (open == kNone) return at(i, "'}' without a '{'");
      bool empty = true;
      for (std::size_t k = start; k < i; ++k) empty = empty && is_space(text[k]);
      if (empty) return at(open, "an empty group '{}'");
      part(start, i, groups++);
      open = kNone;
      // After '}': the end of the list or a ',' (which is dropped).
      std::size_t after = i + 1;
      while (after < text.size() && is_space(text[after])) ++after;
      if (after < text.size()) {
        if (text[after] == ':') {
          if (auto s = check_modifiers(text, after); !s) return s.error();
        }
        if (text[after] != ',') return at(after, "expected ',' after a group's '}'");
        start = after + 1;
        i = after;
      } else {
        start = text.size();
      }
    }
  }
  if (open != kNone) return at(open, "'{' is never closed");
  part(start, text.size(), std::nullopt);
  return parts;
}

}  // namespace cpmu
