// Config space as `lspci -xxxx` text: the format pciutils' dump access method
// (lspci -F FILE, -A dump) reads back, so a simulated or captured function
// can be decoded by the real lspci and by libcpmu's dump backend.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/pci_address.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

// One function: the line "BB:DD.F <description>" ("DDDD:BB:DD.F ..." when the
// domain is not 0; libpci needs the space after the address), then 16 bytes
// per line as "xx: .. .." with the offset in lower-case hex, then an empty
// line. The description is made from the IDs and class in `config`.
CPMU_API std::string format_lspci_function(const PciAddress& address, std::span<const std::uint8_t> config);

// Every function the platform enumerates, in enumeration order. Without
// `problems`, any function whose config space cannot be read in full, or any
// problem of the source as a whole (Platform::problems()), fails the whole
// dump. With it, such a function is written with as much as can be read (or
// left out when nothing can), the reasons are appended to `problems`, and the
// rest of the machine is still dumped.
CPMU_API Result<std::string> format_lspci_dump(Platform& platform, std::vector<Error>* problems = nullptr);

}  // namespace cpmu
