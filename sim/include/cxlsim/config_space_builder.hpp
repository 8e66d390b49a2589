// Lays out PCI structures in a ConfigSpaceModel: the standard header (type 0 or
// type 1), 64-bit memory BARs that size like hardware, and the capability
// list and extended capability chain with their next pointers kept linked.
#pragma once

#include <cstdint>
#include <optional>

#include "cpmu/discovered_machine.hpp"
#include "cpmu/result.hpp"
#include "cxlsim/config_space_model.hpp"

namespace cpmu::sim {

struct HeaderIdentity {
  std::uint16_t vendor_id = 0;
  std::uint16_t device_id = 0;
  std::uint32_t class_code = 0;    // 24 bits: base class, subclass, prog-if
  std::uint8_t revision = 0;
  unsigned layout = 0;             // regs::pci::header_type::kEndpoint or kBridge
};

class ConfigSpaceBuilder {
 public:
  explicit ConfigSpaceBuilder(ConfigSpaceModel& space) : space_(space) {}

  // IDs, class, header type, and the writable/RW1C bits of the standard
  // header. Type 0 functions report themselves as their own subsystem.
  void header(const HeaderIdentity& id);
  // Type 1 only.
  void bridge_buses(const BridgeBuses& buses);
  // Type 1 only: the non-prefetchable window [base, limit], 1 MiB granular;
  // nullopt leaves it closed (base above limit).
  void bridge_memory_window(std::optional<std::uint64_t> base, std::uint64_t limit);

  // A 64-bit non-prefetchable memory BAR in slots index and index + 1. size
  // must be a power of two >= 16; writing all ones reads back ~(size - 1).
  Status memory_bar64(unsigned index, std::uint64_t base, std::uint64_t size);

  // Appends a capability of `length` bytes (DW-aligned) to the list and
  // returns its offset; the ID and the previous next pointer are written.
  Result<unsigned> add_capability(unsigned id, unsigned length);
  // Appends an extended capability from 0x100 on, version in bits 19:16.
  Result<unsigned> add_extended_capability(unsigned id, unsigned version, unsigned length);
  // An extended capability 0x23 with both DVSEC headers filled in.
  Result<unsigned> add_dvsec(std::uint16_t vendor, unsigned dvsec_id, unsigned revision,
                             unsigned length);

  // Offsets of the first and last extended capability; nullopt if none.
  std::optional<unsigned> first_extended() const { return first_ext_; }
  std::optional<unsigned> last_extended() const { return last_ext_; }

  ConfigSpaceModel& space() { return space_; }

 private:
  ConfigSpaceModel& space_;
  unsigned next_cap_ = regs::pci::kFirstCapOffset;
  std::optional<unsigned> last_cap_;
  unsigned next_ext_ = regs::pci::kExtCapStart;
  std::optional<unsigned> first_ext_;
  std::optional<unsigned> last_ext_;
};

}  // namespace cpmu::sim
