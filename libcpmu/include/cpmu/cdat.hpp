// CDAT (Coherent Device Attribute Table): reading a table over DOE or from
// the kernel, validating it, and decoding it into typed structures with
// normalised units (latency in ns, bandwidth in bytes/s). Validation rules
// and units: docs/doe-cdat.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cpmu/doe.hpp"
#include "cpmu/export.hpp"
#include "cpmu/regs/cdat.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

using CdatDataType = regs::cdat::HmatType;
// "access latency", "read latency", ... "write bandwidth"
CPMU_API std::string_view cdat_data_type_name(CdatDataType type);
CPMU_API bool cdat_is_latency(CdatDataType type);

// A 16-bit entry times its base unit, in the unit HMAT gives it (ps for
// latency, MB/s for bandwidth), converted to ns (rounded up) or bytes/s.
// nullopt for the "no value" entries 0 and 0xFFFF and for a product that does
// not fit in 64 bits.
CPMU_API std::optional<std::uint64_t> cdat_normalize(std::uint16_t entry, std::uint64_t base_unit, CdatDataType type);

struct CdatHeader {
  std::uint32_t length = 0;
  std::uint8_t revision = 0;
  std::uint8_t checksum = 0;
  std::uint32_t sequence = 0;
};

// Device Scoped Memory Affinity: one DPA range.
struct CdatDsmas {
  std::size_t offset = 0;       // of the structure in the table
  std::uint8_t handle = 0;
  std::uint8_t flags = 0;
  std::uint64_t dpa_base = 0;
  std::uint64_t dpa_length = 0;
  bool non_volatile() const { return (flags & regs::cdat::dsmas::kFlagNonVolatile) != 0; }
  bool shareable() const { return (flags & regs::cdat::dsmas::kFlagShareable) != 0; }
  bool read_only() const { return (flags & regs::cdat::dsmas::kFlagReadOnly) != 0; }
};

// Device Scoped Latency and Bandwidth Information for one DSMAS range.
struct CdatDslbis {
  std::size_t offset = 0;
  std::uint8_t handle = 0;
  std::uint8_t flags = 0;       // HMAT: bits 3:0 memory hierarchy, 0 = the memory itself
  CdatDataType data_type = CdatDataType::kAccessLatency;
  std::uint64_t base_unit = 0;
  std::array<std::uint16_t, 3> entries{};
  std::optional<std::uint64_t> value;   // entries[0], normalised (the one Linux uses)
  bool describes_memory() const { return (flags & 0x0f) == 0; }
};

// Device Scoped Memory Side Cache Information.
struct CdatDsmscis {
  std::size_t offset = 0;
  std::uint8_t handle = 0;
  std::uint64_t cache_size = 0;   // bytes
  std::uint32_t cache_attributes = 0;
};

// Device Scoped Initiator.
struct CdatDsis {
  std::size_t offset = 0;
  std::uint8_t flags = 0;
  std::uint8_t handle = 0;
  bool memory_attached() const { return (flags & 0x01) != 0; }
};

// Device Scoped EFI Memory Type (the type/attribute encoding is UNVERIFIED
// beyond QEMU's 1 = volatile special-purpose and 2 = persistent).
struct CdatDsemts {
  std::size_t offset = 0;
  std::uint8_t handle = 0;
  std::uint8_t memory_type = 0;
  std::uint64_t dpa_offset = 0;
  std::uint64_t dpa_length = 0;
};

// Switch Scoped Latency and Bandwidth Information: one value per port pair.
struct CdatSslbisEntry {
  std::uint16_t port_x = 0;     // kUpstreamPort, kAnyPort or a downstream port number
  std::uint16_t port_y = 0;
  std::uint16_t entry = 0;
  std::optional<std::uint64_t> value;   // normalised
};
struct CdatSslbis {
  std::size_t offset = 0;
  CdatDataType data_type = CdatDataType::kAccessLatency;
  std::uint64_t base_unit = 0;
  std::vector<CdatSslbisEntry> entries;
};

// A structure of a type CDAT reserves (6..255): skipped, but listed, so a
// newer table still decodes and nothing vanishes silently.
struct CdatUnknown {
  std::size_t offset = 0;
  std::uint8_t type = 0;
  std::uint16_t length = 0;
};

struct CdatTable {
  CdatHeader header;
  std::vector<CdatDsmas> dsmas;
  std::vector<CdatDslbis> dslbis;
  std::vector<CdatDsmscis> dsmscis;
  std::vector<CdatDsis> dsis;
  std::vector<CdatDsemts> dsemts;
  std::vector<CdatSslbis> sslbis;
  std::vector<CdatUnknown> unknown;
  std::vector<std::uint8_t> raw;   // the validated bytes
};

// Validates and decodes a whole table (header and structures, as the
// kernel's CDAT attribute shows it). Any defect fails with kMalformed and a
// message naming the structure and byte offset.
CPMU_API Result<CdatTable> parse_cdat(std::span<const std::uint8_t> bytes);

// Bounds on a table read, so a device whose entry handles loop or whose
// table never ends cannot hold us up.
struct CdatReadLimits {
  std::size_t max_entries = 4096;
  std::size_t max_bytes = std::size_t{1} << 20;
};

// Reads the table entry by entry over DOE table access (facts §5.1), from
// handle 0 until the device answers 0xFFFF as the next handle. Checks each
// element's framing; the table itself is left for parse_cdat().
CPMU_API Result<std::vector<std::uint8_t>> read_cdat_over_doe(DoeMailbox& mailbox, const CdatReadLimits& limits = {});

// Where to look for one function's table, and how.
struct CdatReadOptions {
  std::string cxl_root = "/sys/bus/cxl";   // for devices/<kernel_object>/CDAT
  DoeAccessPolicy access;
  DoeMailboxOptions mailbox;
  CdatReadLimits limits;
};

struct RawCdat {
  std::vector<std::uint8_t> bytes;
  std::string source;   // the sysfs file, or "DOE@0x190"
};

// One function's table: the kernel's cached copy where it has one
// (<cxl_root>/devices/<kernel_object>/CDAT, e.g. endpoint3), otherwise the
// first of `doe_offsets` whose mailbox offers table access, subject to the
// kernel-ownership rule. kNotFound when no mailbox offers CDAT.
CPMU_API Result<RawCdat> read_function_cdat(Platform& platform, const PciFunctionInfo& function,
                                            std::span<const unsigned> doe_offsets, std::string_view kernel_object,
                                            const CdatReadOptions& options);

}  // namespace cpmu
