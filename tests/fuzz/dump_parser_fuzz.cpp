// Fuzz target: the dump backend over arbitrary text must open it or refuse it
// with an error, never crash or hang, and everything it reports must name the
// file and be printable (messages end up in JSON, which wants valid UTF-8).
// Discovery and `cpmu dump`'s writer then run over whatever it opened. Seeds:
// small lspci -xxxx dumps, good and damaged (corpus/dump_parser_fuzz/).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/discovery.hpp"
#include "cpmu/lspci_text.hpp"
#include "cpmu/regs/pci_config.hpp"
#include "platform/dump_platform.hpp"

namespace {

const std::string kPath = "fuzz.txt";

void check(const cpmu::Error& error) {
  const std::string& message = error.message();
  if (!message.starts_with(kPath + ":")) __builtin_trap();
  if (!std::all_of(message.begin(), message.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto platform = cpmu::detail::DumpPlatform::from_text(kPath, text);
  if (!platform) {
    check(platform.error());
    return 0;
  }
  for (const cpmu::Error& problem : (*platform)->problems()) check(problem);
  auto functions = (*platform)->enumerate();
  if (!functions || functions->empty()) __builtin_trap();
  for (std::size_t i = 0; i < functions->size(); ++i) {
    const cpmu::PciFunctionInfo& info = (*functions)[i];
    if (i > 0 && !((*functions)[i - 1].address < info.address)) __builtin_trap();
    auto config = (*platform)->read_config(info.address, /*allow_partial=*/true);
    if (!config) {
      check(config.error());
      continue;
    }
    if (config->empty() || config->size() > cpmu::regs::pci::kConfigSize || config->size() % 16 != 0) {
      __builtin_trap();
    }
  }
  auto machine = cpmu::discover(**platform);
  if (!machine || machine->functions.size() != functions->size()) __builtin_trap();
  std::vector<cpmu::Error> problems;
  if (!cpmu::format_lspci_dump(**platform, &problems)) __builtin_trap();
  return 0;
}
