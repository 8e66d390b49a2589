// Config space as `lspci -xxxx` text: the format pciutils' dump access method
// (lspci -F FILE, -A dump) reads back, so a simulated or captured function
// can be decoded by the real lspci and by libcpmu's dump backend.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "cpmu/pci_address.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

// One function: the line "BB:DD.F <description>" ("DDDD:BB:DD.F ..." when the
// domain is not 0; libpci needs the space after the address), then 16 bytes
// per line as "xx: .. .." with the offset in lower-case hex, then an empty
// line. The description is made from the IDs and class in `config`.
std::string format_lspci_function(const PciAddress& address, std::span<const std::uint8_t> config);

// Every function the platform enumerates, in enumeration order, each with as
// much config space as the platform can read.
Result<std::string> format_lspci_dump(Platform& platform);

}  // namespace cpmu
