// CDAT validation and decoding (facts §5.2, §5.3). The table must be exactly
// as long as its header says, sum to 0, and consist of whole structures of
// the length their type prescribes; range-scoped structures must name an
// existing DSMAS handle. The first defect ends the parse with an error that
// names the structure and its offset: a table that fails one rule gives no
// grounds to trust the values next to the defect.
#include <set>

#include <fmt/format.h>

#include "cpmu/cdat.hpp"

namespace cpmu {
namespace {

namespace cdat = regs::cdat;

std::uint64_t load_le(std::span<const std::uint8_t> bytes, std::size_t offset, unsigned width) {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < width; ++i) value |= std::uint64_t{bytes[offset + i]} << (8 * i);
  return value;
}
std::uint8_t u8(std::span<const std::uint8_t> s, std::size_t at) { return s[at]; }
std::uint16_t u16(std::span<const std::uint8_t> s, std::size_t at) {
  return static_cast<std::uint16_t>(load_le(s, at, 2));
}
std::uint32_t u32(std::span<const std::uint8_t> s, std::size_t at) {
  return static_cast<std::uint32_t>(load_le(s, at, 4));
}
std::uint64_t u64(std::span<const std::uint8_t> s, std::size_t at) { return load_le(s, at, 8); }

Error malformed(std::size_t offset, std::string what) {
  return Error(Errc::kMalformed, fmt::format("CDAT offset {:#x}: {}", offset, what));
}

std::string_view type_name(std::uint8_t type) {
  switch (static_cast<cdat::Type>(type)) {
    case cdat::Type::kDsmas: return "DSMAS";
    case cdat::Type::kDslbis: return "DSLBIS";
    case cdat::Type::kDsmscis: return "DSMSCIS";
    case cdat::Type::kDsis: return "DSIS";
    case cdat::Type::kDsemts: return "DSEMTS";
    case cdat::Type::kSslbis: return "SSLBIS";
  }
  return "reserved type";
}

// Checks one structure's length against what its type prescribes.
Status check_length(std::size_t offset, std::uint8_t type, std::size_t length) {
  std::size_t expected = 0;
  switch (static_cast<cdat::Type>(type)) {
    case cdat::Type::kDsmas: expected = cdat::dsmas::kSize; break;
    case cdat::Type::kDslbis: expected = cdat::dslbis::kSize; break;
    case cdat::Type::kDsmscis: expected = cdat::dsmscis::kSize; break;
    case cdat::Type::kDsis: expected = cdat::dsis::kSize; break;
    case cdat::Type::kDsemts: expected = cdat::dsemts::kSize; break;
    case cdat::Type::kSslbis:
      if (length < cdat::sslbis::kHeaderSize || (length - cdat::sslbis::kHeaderSize) % cdat::sslbis::kEntrySize != 0) {
        return malformed(offset, fmt::format("SSLBIS (type 5) is {} bytes; it must be 16 + 8 x entries", length));
      }
      return {};
    default:
      return {};   // reserved types have no prescribed length
  }
  if (length != expected) {
    return malformed(offset, fmt::format("{} (type {}) is {} bytes, expected {}", type_name(type), type, length,
                                         expected));
  }
  return {};
}

void decode(std::span<const std::uint8_t> s, std::size_t at, CdatTable& table) {
  const std::uint8_t type = u8(s, at + cdat::kStructType);
  switch (static_cast<cdat::Type>(type)) {
    case cdat::Type::kDsmas:
      table.dsmas.push_back({at, u8(s, at + cdat::dsmas::kHandle), u8(s, at + cdat::dsmas::kFlags),
                             u64(s, at + cdat::dsmas::kDpaBase), u64(s, at + cdat::dsmas::kDpaLength)});
      return;
    case cdat::Type::kDslbis: {
      CdatDslbis d;
      d.offset = at;
      d.handle = u8(s, at + cdat::dslbis::kHandle);
      d.flags = u8(s, at + cdat::dslbis::kFlags);
      d.data_type = static_cast<CdatDataType>(u8(s, at + cdat::dslbis::kDataType));
      d.base_unit = u64(s, at + cdat::dslbis::kBaseUnit);
      for (std::size_t i = 0; i < d.entries.size(); ++i) d.entries[i] = u16(s, at + cdat::dslbis::kEntry0 + 2 * i);
      d.value = cdat_normalize(d.entries[0], d.base_unit, d.data_type);
      table.dslbis.push_back(d);
      return;
    }
    case cdat::Type::kDsmscis:
      table.dsmscis.push_back({at, u8(s, at + cdat::dsmscis::kHandle), u64(s, at + cdat::dsmscis::kCacheSize),
                               u32(s, at + cdat::dsmscis::kCacheAttributes)});
      return;
    case cdat::Type::kDsis:
      table.dsis.push_back({at, u8(s, at + cdat::dsis::kFlags), u8(s, at + cdat::dsis::kHandle)});
      return;
    case cdat::Type::kDsemts:
      table.dsemts.push_back({at, u8(s, at + cdat::dsemts::kHandle), u8(s, at + cdat::dsemts::kMemoryType),
                              u64(s, at + cdat::dsemts::kDpaOffset), u64(s, at + cdat::dsemts::kDpaLength)});
      return;
    case cdat::Type::kSslbis: {
      CdatSslbis sw;
      sw.offset = at;
      sw.data_type = static_cast<CdatDataType>(u8(s, at + cdat::sslbis::kDataType));
      sw.base_unit = u64(s, at + cdat::sslbis::kBaseUnit);
      const std::size_t length = u16(s, at + cdat::kStructLength);
      for (std::size_t e = at + cdat::sslbis::kFirstEntry; e < at + length; e += cdat::sslbis::kEntrySize) {
        CdatSslbisEntry entry{u16(s, e + cdat::sslbis::kPortX), u16(s, e + cdat::sslbis::kPortY),
                              u16(s, e + cdat::sslbis::kValue), std::nullopt};
        entry.value = cdat_normalize(entry.entry, sw.base_unit, sw.data_type);
        sw.entries.push_back(entry);
      }
      table.sslbis.push_back(std::move(sw));
      return;
    }
  }
  table.unknown.push_back({at, type, u16(s, at + cdat::kStructLength)});
}

// DSLBIS, DSMSCIS and DSEMTS describe a DSMAS range, so their handle must be one.
Status check_handles(const CdatTable& table) {
  std::set<std::uint8_t> handles;
  for (const CdatDsmas& d : table.dsmas) {
    if (!handles.insert(d.handle).second) {
      return malformed(d.offset, fmt::format("DSMAS handle {} is used by an earlier DSMAS too", d.handle));
    }
  }
  auto check = [&](std::size_t offset, std::string_view what, std::uint8_t handle) -> Status {
    if (handles.count(handle) != 0) return {};
    return malformed(offset, fmt::format("{} names DSMAS handle {}, but no DSMAS has that handle", what, handle));
  };
  for (const CdatDslbis& d : table.dslbis) {
    if (Status s = check(d.offset, "DSLBIS", d.handle); !s) return s;
  }
  for (const CdatDsmscis& d : table.dsmscis) {
    if (Status s = check(d.offset, "DSMSCIS", d.handle); !s) return s;
  }
  for (const CdatDsemts& d : table.dsemts) {
    if (Status s = check(d.offset, "DSEMTS", d.handle); !s) return s;
  }
  return {};
}

}  // namespace

Result<CdatTable> parse_cdat(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < cdat::header::kSize) {
    return Error(Errc::kMalformed,
                 fmt::format("CDAT is {} bytes, shorter than its {}-byte header", bytes.size(), cdat::header::kSize));
  }
  CdatTable table;
  table.header = {u32(bytes, cdat::header::kLength), u8(bytes, cdat::header::kRevision),
                  u8(bytes, cdat::header::kChecksum), u32(bytes, cdat::header::kSequence)};
  if (table.header.length != bytes.size()) {
    return Error(Errc::kMalformed, fmt::format("CDAT header says the table is {} bytes, but {} bytes were read",
                                               table.header.length, bytes.size()));
  }
  unsigned sum = 0;
  for (std::uint8_t b : bytes) sum += b;
  if (sum % 256 != 0) {
    return Error(Errc::kMalformed, fmt::format("CDAT checksum is wrong: the table's bytes sum to {:#04x} mod 256, "
                                               "not 0 (checksum byte {:#04x})",
                                               sum % 256, table.header.checksum));
  }

  for (std::size_t at = cdat::header::kSize; at < bytes.size();) {
    if (bytes.size() - at < cdat::kStructHeaderSize) {
      return malformed(at, fmt::format("{} bytes left, too few for a structure header", bytes.size() - at));
    }
    const std::uint8_t type = u8(bytes, at + cdat::kStructType);
    const std::size_t length = u16(bytes, at + cdat::kStructLength);
    if (length < cdat::kStructHeaderSize) {
      return malformed(at, fmt::format("{} (type {}) has length {}, shorter than its own 4-byte header",
                                       type_name(type), type, length));
    }
    if (length > bytes.size() - at) {
      return malformed(at, fmt::format("{} (type {}) of {} bytes runs past the end of the {}-byte table",
                                       type_name(type), type, length, bytes.size()));
    }
    if (Status s = check_length(at, type, length); !s) return s.error();
    decode(bytes, at, table);
    at += length;
  }
  if (Status s = check_handles(table); !s) return s.error();
  table.raw.assign(bytes.begin(), bytes.end());
  return table;
}

}  // namespace cpmu
