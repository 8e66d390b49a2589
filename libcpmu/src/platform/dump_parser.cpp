#include "platform/dump_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "cpmu/printable_text.hpp"
#include "cpmu/regs/pci_config.hpp"

namespace cpmu::detail {
namespace {

namespace pcireg = regs::pci;

// libpci (lspci -F) reads a dump with fgets into a 256-byte buffer and gives
// up on any line that does not fit, newline included: no lspci reads it.
constexpr std::size_t kMaxLineLength = 253;
constexpr unsigned kRowBytes = 16;
constexpr std::size_t kRowTextLength = kRowBytes * 3 - 1;   // "hh hh ... hh"

// -1 for a character that is not a hexadecimal digit.
constexpr std::array<std::int8_t, 256> kHexValue = [] {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<std::int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    table['a' + i] = static_cast<std::int8_t>(10 + i);
    table['A' + i] = static_cast<std::int8_t>(10 + i);
  }
  return table;
}();

int hex_value(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

bool is_hex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return hex_value(c) >= 0; });
}

enum class HeaderShape { kNone, kAddress, kWideDomain };

// The address shapes lspci starts a device header with: BB:DD.F,
// DDDD:BB:DD.F, and DDDDD:BB:DD.F for a domain above ffff (Intel VMD).
HeaderShape header_shape(std::string_view token) {
  if (token.size() == 7 && token[2] == ':' && token[5] == '.') return HeaderShape::kAddress;
  if (token.size() == 12 && token[4] == ':' && token[7] == ':' && token[10] == '.') return HeaderShape::kAddress;
  if (token.size() == 13 && token[5] == ':' && token[8] == ':' && token[11] == '.' && is_hex(token.substr(0, 5))) {
    return HeaderShape::kWideDomain;
  }
  return HeaderShape::kNone;
}

// What is wrong with the bytes of a row that is not the usual 16 two-digit
// bytes separated by single spaces.
std::string row_fault(std::string_view bytes_text) {
  unsigned count = 0;
  for (std::size_t pos = 0; pos < bytes_text.size();) {
    const std::size_t space = std::min(bytes_text.find(' ', pos), bytes_text.size());
    const std::string_view byte = bytes_text.substr(pos, space - pos);
    if (byte.empty()) return "bytes must be separated by exactly one space";
    if (byte.size() != 2 || !is_hex(byte)) return fmt::format("'{}' is not a hexadecimal byte", printable(byte));
    ++count;
    pos = space + 1;
    if (space + 1 == bytes_text.size()) return "bytes must be separated by exactly one space";
  }
  return fmt::format("the row holds {} bytes where lspci writes {}{}", count, kRowBytes,
                     count < kRowBytes ? ": the line is truncated" : "");
}

// Appends the bytes of the row "OO: hh hh ... hh" to `config`, or says what is
// wrong with it and appends nothing.
std::string take_row(std::string_view offset_text, std::string_view bytes_text, std::vector<std::uint8_t>& config) {
  if (offset_text.size() < 2 || offset_text.size() > 8 || !is_hex(offset_text)) {
    return fmt::format("'{}' is not a hexadecimal config-space offset", printable(offset_text));
  }
  unsigned offset = 0;
  std::from_chars(offset_text.data(), offset_text.data() + offset_text.size(), offset, 16);
  if (offset >= pcireg::kConfigSize) {
    return fmt::format("offset 0x{:x} is past the {}-byte config space", offset, pcireg::kConfigSize);
  }
  if (offset != config.size()) {
    return fmt::format("row for offset 0x{:x} where lspci writes 0x{:x} next", offset, config.size());
  }
  if (bytes_text.size() != kRowTextLength) return row_fault(bytes_text);
  std::array<std::uint8_t, kRowBytes> row;
  for (unsigned i = 0; i < kRowBytes; ++i) {
    const char* at = bytes_text.data() + 3 * i;
    const int high = hex_value(at[0]);
    const int low = hex_value(at[1]);
    if (high < 0 || low < 0 || (i + 1 < kRowBytes && at[2] != ' ')) return row_fault(bytes_text);
    row[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  config.insert(config.end(), row.begin(), row.end());
  return {};
}

class Parser {
 public:
  explicit Parser(const std::string& path) : path_(path) {}

  void take(unsigned number, std::string_view line, bool terminated);
  Result<ParsedDump> finish() &&;

 private:
  Error at(unsigned number, std::string_view what) const {
    return Error(Errc::kMalformed, fmt::format("{}:{}: {}", path_, number, what));
  }
  void start_device(unsigned number, std::string_view token, HeaderShape shape, bool described,
                    const std::string& line_problem);
  // The current function is bad from this line on.
  void spoil(unsigned number, std::string_view what);
  // A line that belongs to no function: reported, and its block skipped.
  void stray(unsigned number, std::string_view what);

  const std::string& path_;
  ParsedDump dump_;
  DumpedFunction* current_ = nullptr;   // whose rows follow
  PciAddress current_address_;
  bool skipping_ = false;               // in a block that belongs to no function
};

void Parser::take(unsigned number, std::string_view line, bool terminated) {
  std::string line_problem;
  if (!terminated) {
    line_problem = "the last line has no newline: the file is truncated";
  } else if (line.size() > kMaxLineLength) {
    line_problem = fmt::format("the line is longer than {} characters", kMaxLineLength);
  }
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (line.empty()) {
    current_ = nullptr;
    skipping_ = false;
    return;
  }
  // lspci -v detail lines are indented; they carry no config bytes.
  const bool detail = line.front() == ' ' || line.front() == '\t';
  const std::size_t space = line.find(' ');
  const std::string_view first = line.substr(0, space);
  if (!detail) {
    if (HeaderShape shape = header_shape(first); shape != HeaderShape::kNone) {
      start_device(number, first, shape, space != std::string_view::npos, line_problem);
      return;
    }
  }
  if (skipping_) return;
  if (current_ == nullptr) {
    if (!line_problem.empty()) {
      stray(number, line_problem);
    } else if (!detail) {
      stray(number, first.ends_with(':') ? "a config-space row with no device header above it"
                                         : "expected a device header ('0000:0d:00.0 ...') or a blank line");
    }
    return;
  }
  if (current_->problem) return;   // the rest of a bad function is not read
  if (!line_problem.empty()) {
    spoil(number, line_problem);
  } else if (detail) {
    return;
  } else if (!first.ends_with(':')) {
    spoil(number, "expected a config-space row ('00: 86 80 ...'), an indented detail line or a blank line");
  } else if (std::string fault = take_row(first.substr(0, first.size() - 1),
                                          space == std::string_view::npos ? std::string_view() : line.substr(space + 1),
                                          current_->config);
             !fault.empty()) {
    spoil(number, fault);
  }
}

void Parser::start_device(unsigned number, std::string_view token, HeaderShape shape, bool described,
                          const std::string& line_problem) {
  current_ = nullptr;
  skipping_ = true;   // until the header proves to start a function of its own
  // A domain above ffff does not fit PciAddress: the device is left out, as
  // the Linux backend leaves it out (docs/platform.md, Limits).
  if (shape == HeaderShape::kWideDomain) return;
  auto address = PciAddress::parse(token);
  if (!address) {
    stray(number, fmt::format("'{}' is not a PCI address (expected [DDDD:]BB:DD.F)", printable(token)));
    return;
  }
  auto [entry, added] = dump_.functions.try_emplace(*address);
  if (!added) {
    // Which copy is right cannot be told: the first is read, and the function
    // is marked, whatever else is wrong with it.
    if (!entry->second.problem) {
      entry->second.problem = at(number, fmt::format("{} appears a second time (first at line {}); only the first "
                                                     "is read",
                                                     address->to_string(), entry->second.line));
    }
    return;
  }
  entry->second.line = number;
  current_ = &entry->second;
  current_address_ = *address;
  skipping_ = false;
  if (!line_problem.empty()) {
    spoil(number, line_problem);
  } else if (!described) {
    spoil(number, "a device header needs a description after the address, as lspci writes it");
  }
}

void Parser::spoil(unsigned number, std::string_view what) {
  const std::size_t kept = current_->config.size();
  current_->problem =
      at(number, kept == 0 ? fmt::format("{}; no config-space bytes of {} are read", what, current_address_.to_string())
                           : fmt::format("{}; only the {} config-space bytes of {} before it are read", what, kept,
                                         current_address_.to_string()));
}

void Parser::stray(unsigned number, std::string_view what) {
  dump_.problems.push_back(at(number, fmt::format("{}; skipped up to the next blank line or device header", what)));
  skipping_ = true;
}

Result<ParsedDump> Parser::finish() && {
  if (dump_.functions.empty()) {
    return Error(Errc::kMalformed,
                 fmt::format("{}: no device header ('0000:0d:00.0 ...') in the file: not an lspci -xxxx dump", path_));
  }
  for (auto& [address, function] : dump_.functions) {
    if (function.config.empty() && !function.problem) {
      function.problem = at(function.line, fmt::format("{} has no config-space rows", address.to_string()));
    }
  }
  return std::move(dump_);
}

}  // namespace

Result<ParsedDump> parse_dump(const std::string& path, std::string_view text) {
  if (text.empty()) {
    return Error(Errc::kMalformed, fmt::format("{}: the file is empty, not an lspci -xxxx dump", path));
  }
  Parser parser(path);
  unsigned number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = text.find('\n', pos);
    const bool terminated = end != std::string_view::npos;
    const std::size_t stop = terminated ? end : text.size();
    parser.take(++number, text.substr(pos, stop - pos), terminated);
    pos = stop + 1;
  }
  return std::move(parser).finish();
}

}  // namespace cpmu::detail
