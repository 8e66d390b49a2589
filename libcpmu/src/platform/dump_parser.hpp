// lspci -x/-xxx/-xxxx text to the config bytes of each function, checked as
// strictly as lspci writes it. Trouble stays where it is: a bad line spoils
// only the function it belongs to, and lines that belong to no function are
// reported on their own; the rest of the dump is read as if they were not
// there.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/pci_address.hpp"
#include "cpmu/result.hpp"

namespace cpmu::detail {

struct DumpedFunction {
  unsigned line = 0;                  // of the device header
  std::vector<std::uint8_t> config;   // its rows, in order, up to the first bad line
  // The first thing wrong with its lines, as "file:line: what" (kMalformed);
  // `config` then holds what came before it.
  std::optional<Error> problem;
};

struct ParsedDump {
  std::map<PciAddress, DumpedFunction> functions;
  std::vector<Error> problems;   // lines outside any function, each as "file:line: what"
};

// `path` is only for the messages. Fails only when nothing in the text is a
// device: an empty file, or one that is not lspci output at all.
Result<ParsedDump> parse_dump(const std::string& path, std::string_view text);

}  // namespace cpmu::detail
