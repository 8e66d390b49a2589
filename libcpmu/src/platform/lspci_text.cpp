// lspci -xxxx text writer.
#include "cpmu/lspci_text.hpp"

#include <fmt/format.h>

#include "cpmu/regs/pci_config.hpp"

namespace cpmu {
namespace {

std::uint32_t little_endian(std::span<const std::uint8_t> bytes, unsigned offset, unsigned size) {
  std::uint32_t value = 0;
  for (unsigned i = 0; i < size && offset + i < bytes.size(); ++i) {
    value |= static_cast<std::uint32_t>(bytes[offset + i]) << (8 * i);
  }
  return value;
}

// lspci's wording for the classes the simulator and CXL systems show.
std::string class_name(std::uint32_t class_code) {
  switch (class_code >> 8) {
    case 0x0502: return "CXL";
    case 0x0600: return "Host bridge";
    case 0x0604: return "PCI bridge";
    default: return fmt::format("Class {:04x}", class_code >> 8);
  }
}

std::string description(std::span<const std::uint8_t> config) {
  namespace pci = regs::pci;
  if (config.size() <= pci::kHeaderType) return "Device";
  const std::uint32_t class_code = little_endian(config, pci::kProgIf, 3);
  std::string text = fmt::format("{}: Device {:04x}:{:04x}", class_name(class_code),
                                 little_endian(config, pci::kVendorId, 2), little_endian(config, pci::kDeviceId, 2));
  if (const std::uint32_t revision = little_endian(config, pci::kRevision, 1); revision != 0) {
    text += fmt::format(" (rev {:02x})", revision);
  }
  return text;
}

}  // namespace

std::string format_lspci_function(const PciAddress& address, std::span<const std::uint8_t> config) {
  std::string text = address.domain != 0
                         ? fmt::format("{:04x}:{:02x}:{:02x}.{:x}", address.domain, address.bus, address.device,
                                       address.function)
                         : fmt::format("{:02x}:{:02x}.{:x}", address.bus, address.device, address.function);
  text += ' ';
  text += description(config);
  text += '\n';
  for (std::size_t line = 0; line < config.size(); line += 16) {
    text += fmt::format("{:02x}:", line);
    for (std::size_t i = line; i < line + 16 && i < config.size(); ++i) text += fmt::format(" {:02x}", config[i]);
    text += '\n';
  }
  text += '\n';
  return text;
}

Result<std::string> format_lspci_dump(Platform& platform, std::vector<Error>* problems) {
  Result<std::vector<PciFunctionInfo>> functions = platform.enumerate();
  if (!functions) return functions.error();
  std::vector<Error> source_problems = platform.problems();
  if (!source_problems.empty()) {
    if (problems == nullptr) return source_problems.front();
    problems->insert(problems->end(), source_problems.begin(), source_problems.end());
  }
  std::string text;
  for (const PciFunctionInfo& function : *functions) {
    const std::string where = function.address.to_string();
    Result<std::vector<std::uint8_t>> config = platform.read_config(function.address);
    if (!config && problems != nullptr) {
      problems->push_back(config.error().context(where));
      config = platform.read_config(function.address, true);
      if (!config) continue;
    }
    if (!config) return config.error().context(where);
    text += format_lspci_function(function.address, *config);
  }
  return text;
}

}  // namespace cpmu
