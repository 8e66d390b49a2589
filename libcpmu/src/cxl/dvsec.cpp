#include "cxl/dvsec.hpp"

#include <fmt/format.h>

#include "cpmu/regs/cxl_dvsec.hpp"
#include "cpmu/regs/pci_config.hpp"

namespace cpmu {

namespace dv = regs::dvsec;

bool Dvsec::is_cxl() const { return vendor_id == dv::kCxlVendorId; }

std::string_view cxl_dvsec_name(unsigned id) {
  switch (id) {
    case dv::id::kCxlDevice: return "PCIe DVSEC for CXL Devices";
    case dv::id::kFunctionMap: return "Non-CXL Function Map";
    case dv::id::kPortExtensions: return "CXL Extensions DVSEC for Ports";
    case dv::id::kPortGpf: return "GPF DVSEC for CXL Ports";
    case dv::id::kDeviceGpf: return "GPF DVSEC for CXL Devices";
    case dv::id::kFlexBusPort: return "PCIe DVSEC for Flex Bus Port";
    case dv::id::kRegisterLocator: return "Register Locator";
    case dv::id::kMld: return "MLD DVSEC";
    default: return "";
  }
}

namespace detail {

DvsecRead read_dvsec(const ConfigSpace& config, unsigned offset, std::vector<Error>& problems) {
  DvsecRead result;
  auto header1 = config.read32(offset + dv::kHeader1);
  auto header2 = config.read16(offset + dv::kHeader2);
  if (!header1 || !header2) {
    problems.emplace_back(Errc::kMalformed,
                          fmt::format("DVSEC at 0x{:03x}: headers run past the end of config space", offset));
    return result;
  }
  Dvsec dvsec;
  dvsec.offset = offset;
  dvsec.vendor_id = static_cast<std::uint16_t>(dv::header1::kVendorId.get(*header1));
  dvsec.revision = static_cast<unsigned>(dv::header1::kRevision.get(*header1));
  dvsec.length = static_cast<unsigned>(dv::header1::kLength.get(*header1));
  dvsec.id = static_cast<std::uint16_t>(dv::header2::kId.get(*header2));
  result.dvsec = dvsec;
  if (dvsec.length < dv::kHeaderSize) {
    problems.emplace_back(Errc::kMalformed,
                          fmt::format("DVSEC at 0x{:03x} (vendor 0x{:04x}, ID {}): length {} is shorter than "
                                      "its {}-byte headers",
                                      offset, dvsec.vendor_id, dvsec.id, dvsec.length, dv::kHeaderSize));
    return result;
  }
  if (offset + dvsec.length > regs::pci::kConfigSize) {
    problems.emplace_back(Errc::kMalformed,
                          fmt::format("DVSEC at 0x{:03x} (vendor 0x{:04x}, ID {}): length {} runs past the "
                                      "end of config space (4 KiB)",
                                      offset, dvsec.vendor_id, dvsec.id, dvsec.length));
    return result;
  }
  result.body_usable = true;
  return result;
}

}  // namespace detail
}  // namespace cpmu
