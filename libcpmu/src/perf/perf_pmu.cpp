// The text of a perf PMU's sysfs files (format/, events/, cpumask) and the
// encoding of terms into perf_event_attr config words, as perf does it.
#include "cpmu/perf_pmu.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>

#include "cpmu/printable_text.hpp"
#include "events/lexical.hpp"

namespace cpmu {

namespace {

constexpr std::array<std::string_view, 4> kWordNames = {"config", "config1", "config2", "config3"};

// The largest CPU number a list may name: far above any machine, small enough
// that a hostile "0-4294967295" cannot make us allocate gigabytes.
constexpr unsigned kMaxCpu = 1u << 16;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Position (1-based) of `part` inside `whole`; both views of one buffer.
std::size_t position_of(std::string_view whole, std::string_view part) {
  return static_cast<std::size_t>(part.data() - whole.data()) + 1;
}

std::optional<PerfConfigWord> word_named(std::string_view name) {
  for (std::size_t i = 0; i < kWordNames.size(); ++i) {
    if (kWordNames[i] == name) return static_cast<PerfConfigWord>(i);
  }
  return std::nullopt;
}

std::optional<unsigned> parse_decimal(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

Error at(std::size_t position, std::string message) {
  return Error(Errc::kMalformed, fmt::format("position {}: {}", position, message));
}

}  // namespace

std::string_view perf_config_word_name(PerfConfigWord word) { return kWordNames.at(static_cast<std::size_t>(word)); }

std::uint64_t& PerfConfig::word(PerfConfigWord which) {
  switch (which) {
    case PerfConfigWord::kConfig: return config;
    case PerfConfigWord::kConfig1: return config1;
    case PerfConfigWord::kConfig2: return config2;
    case PerfConfigWord::kConfig3: return config3;
  }
  return config;
}

std::uint64_t PerfConfig::word(PerfConfigWord which) const { return const_cast<PerfConfig&>(*this).word(which); }

unsigned PerfFormatField::width() const { return static_cast<unsigned>(std::popcount(bits)); }

std::uint64_t PerfFormatField::max_value() const {
  return width() >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width()) - 1;
}

std::uint64_t PerfFormatField::place(std::uint64_t value) const {
  std::uint64_t out = 0;
  std::uint64_t remaining = bits;
  while (remaining != 0 && value != 0) {
    const std::uint64_t lowest = remaining & (~remaining + 1);
    if (value & 1) out |= lowest;
    value >>= 1;
    remaining &= remaining - 1;
  }
  return out;
}

std::uint64_t PerfFormatField::extract(std::uint64_t word_value) const {
  std::uint64_t out = 0;
  unsigned i = 0;
  for (std::uint64_t remaining = bits; remaining != 0; remaining &= remaining - 1, ++i) {
    const std::uint64_t lowest = remaining & (~remaining + 1);
    if (word_value & lowest) out |= std::uint64_t{1} << i;
  }
  return out;
}

std::string PerfFormatField::describe() const {
  std::string ranges;
  for (unsigned bit = 0; bit < 64;) {
    if (!(bits >> bit & 1)) {
      ++bit;
      continue;
    }
    unsigned hi = bit;
    while (hi + 1 < 64 && (bits >> (hi + 1) & 1)) ++hi;
    ranges += fmt::format("{}{}", ranges.empty() ? "" : ",",
                          hi == bit ? fmt::format("{}", bit) : fmt::format("{}-{}", bit, hi));
    bit = hi + 1;
  }
  return fmt::format("{}:{}", perf_config_word_name(word), ranges);
}

Result<PerfFormatField> parse_perf_format(std::string_view name, std::string_view text) {
  // The name is what an event string writes (name=value): only what the
  // term syntax can spell, or describe() would write terms nothing reads.
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    return Error(Errc::kMalformed,
                 fmt::format("format '{}': not a term name (letters, digits and _ only)", printable(name)));
  }
  PerfFormatField field;
  field.name = std::string(name);
  const std::string_view body = trim(text);
  if (body.empty()) return at(1, "empty: expected configN:LO-HI");
  const std::size_t colon = body.find(':');
  if (colon == std::string_view::npos) {
    return at(position_of(text, body), fmt::format("'{}': expected configN:LO-HI (no ':')", body));
  }
  const std::string_view word = body.substr(0, colon);
  auto which = word_named(word);
  if (!which) {
    return at(position_of(text, body),
              fmt::format("'{}' is not a config word (config, config1, config2, config3)", word));
  }
  field.word = *which;
  std::string_view ranges = body.substr(colon + 1);
  if (ranges.empty()) return at(position_of(text, body) + colon + 1, "no bit range after ':'");
  while (true) {
    const std::size_t comma = ranges.find(',');
    const std::string_view range = ranges.substr(0, comma);
    const std::size_t where = position_of(text, range);
    const std::size_t dash = range.find('-');
    auto lo = parse_decimal(range.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : parse_decimal(range.substr(dash + 1));
    if (!lo || !hi) return at(where, fmt::format("'{}': expected a bit number or LO-HI", range));
    if (*lo > 63 || *hi > 63) return at(where, fmt::format("bits {}: beyond bit 63 of {}", range, word));
    if (*lo > *hi) return at(where, fmt::format("bits {}: the low bit is above the high bit", range));
    const std::uint64_t mask =
        (*hi == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (*hi + 1)) - 1) & ~((std::uint64_t{1} << *lo) - 1);
    if (field.bits & mask) return at(where, fmt::format("bits {} overlap an earlier range of {}", range, name));
    field.bits |= mask;
    if (comma == std::string_view::npos) break;
    ranges.remove_prefix(comma + 1);
  }
  return field;
}

Result<std::vector<PerfTerm>> parse_perf_terms(std::string_view text) {
  std::vector<PerfTerm> terms;
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view raw = rest.substr(0, comma);
    const std::string_view item = trim(raw);
    const std::size_t where = item.empty() ? position_of(text, raw) : position_of(text, item);
    if (item.empty()) {
      if (trim(text).empty() && terms.empty()) return terms;
      return at(where, "empty term");
    }
    PerfTerm term;
    term.position = where;
    const std::size_t eq = item.find('=');
    term.name = std::string(trim(item.substr(0, eq)));
    if (term.name.empty()) return at(where, fmt::format("'{}': no term name before '='", item));
    for (char c : term.name) {
      if (!detail::is_name_char(c) && c != '-') {
        return at(where, fmt::format("'{}': '{}' is not allowed in a term name", term.name, c));
      }
    }
    if (eq != std::string_view::npos) {
      const std::string_view value = trim(item.substr(eq + 1));
      if (value == "?") {
        term.placeholder = true;
      } else if (auto number = detail::parse_unsigned(value)) {
        term.value = *number;
      } else {
        return at(where, fmt::format("term '{}': '{}' is not a number (decimal or 0x-hex, at most 64 bits)", term.name,
                                     value));
      }
    }
    terms.push_back(std::move(term));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return terms;
}

Result<std::vector<unsigned>> parse_cpu_list(std::string_view text) {
  std::vector<unsigned> cpus;
  const std::string_view body = trim(text);
  if (body.empty()) return cpus;
  std::string_view rest = body;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view range = rest.substr(0, comma);
    const std::size_t where = position_of(text, range);
    const std::size_t dash = range.find('-');
    auto lo = parse_decimal(range.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : parse_decimal(range.substr(dash + 1));
    if (!lo || !hi) return at(where, fmt::format("'{}': expected a CPU number or LO-HI", range));
    if (*lo > *hi) return at(where, fmt::format("CPUs {}: the first is above the last", range));
    if (*hi > kMaxCpu) return at(where, fmt::format("CPU {} is beyond any machine (at most {})", *hi, kMaxCpu));
    for (unsigned cpu = *lo; cpu <= *hi; ++cpu) cpus.push_back(cpu);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

const PerfFormatField* PerfPmu::find_format(std::string_view term) const {
  auto it = std::find_if(formats.begin(), formats.end(), [&](const PerfFormatField& f) { return f.name == term; });
  return it == formats.end() ? nullptr : &*it;
}

const PerfEventAlias* PerfPmu::find_event(std::string_view alias) const {
  auto it = std::find_if(events.begin(), events.end(), [&](const PerfEventAlias& e) { return e.name == alias; });
  return it == events.end() ? nullptr : &*it;
}

Result<PerfConfig> PerfPmu::encode(const std::vector<PerfTerm>& terms, std::string_view where) const {
  PerfConfig out;
  PerfConfig used;  // which bits a term has set, so two terms never share one
  std::array<std::string, 4> last_setter;
  for (const PerfTerm& term : terms) {
    auto fail = [&](std::string message) {
      return Error(Errc::kInvalidArgument,
                   fmt::format("{}term '{}' at position {}: {}", where.empty() ? "" : fmt::format("{}: ", where),
                               term.name, term.position, message));
    };
    if (term.placeholder) return fail("needs a value ('=?' in the PMU's alias)");
    std::uint64_t bits = 0;
    PerfConfigWord word = PerfConfigWord::kConfig;
    std::uint64_t placed = 0;
    const std::uint64_t value = term.value.value_or(1);
    if (auto raw = word_named(term.name)) {
      word = *raw;
      bits = value;
      placed = value;
    } else if (const PerfFormatField* field = find_format(term.name)) {
      if (value > field->max_value()) {
        return fail(fmt::format("{:#x} does not fit its {} bit{} ({})", value, field->width(),
                                field->width() == 1 ? "" : "s", field->describe()));
      }
      word = field->word;
      bits = field->bits;
      placed = field->place(value);
    } else {
      std::string known;
      for (const PerfFormatField& f : formats) known += (known.empty() ? "" : ", ") + f.name;
      return fail(fmt::format("{} has no such term (terms: {}{}config, config1, config2)", name, known,
                              known.empty() ? "" : ", "));
    }
    const std::size_t w = static_cast<std::size_t>(word);
    if (used.word(word) & bits) {
      return fail(fmt::format("sets bits of {} that '{}' already set", perf_config_word_name(word), last_setter[w]));
    }
    used.word(word) |= bits;
    out.word(word) |= placed;
    last_setter[w] = term.name;
  }
  return out;
}

std::string PerfPmu::describe(const PerfConfig& config) const {
  std::string out;
  PerfConfig covered;
  for (const PerfFormatField& field : formats) {
    covered.word(field.word) |= field.bits;
    const std::uint64_t value = field.extract(config.word(field.word));
    if (value == 0) continue;
    out += fmt::format("{}{}", out.empty() ? "" : ",",
                       field.width() == 1 ? field.name : fmt::format("{}={:#x}", field.name, value));
  }
  for (std::size_t i = 0; i < kWordNames.size(); ++i) {
    const auto word = static_cast<PerfConfigWord>(i);
    const std::uint64_t rest = config.word(word) & ~covered.word(word);
    if (rest != 0) out += fmt::format("{}{}={:#x}", out.empty() ? "" : ",", kWordNames[i], rest);
  }
  return out.empty() ? "config=0" : out;
}

}  // namespace cpmu
