// Coherent Device Attribute Table: the header and the structure layouts
// (byte offsets from the start of the header or structure).
// Source: ../shared/reference/cxl-facts.md §5.2 (header) and §5.3 (structures).
#pragma once

#include <cstdint>

namespace cpmu::regs::cdat {

namespace header {
inline constexpr unsigned kLength = 0;     // 4: whole table, bytes
inline constexpr unsigned kRevision = 4;   // 1
inline constexpr unsigned kChecksum = 5;   // 1: whole table sums to 0 mod 256
inline constexpr unsigned kSequence = 12;  // 4
inline constexpr unsigned kSize = 16;
inline constexpr std::uint8_t kRevision2 = 2;   // what QEMU emits (CXL_CDAT_REV)
}  // namespace header

// Common structure header.
inline constexpr unsigned kStructType = 0;     // 1
inline constexpr unsigned kStructLength = 2;   // 2
inline constexpr unsigned kStructHeaderSize = 4;

enum class Type : std::uint8_t { kDsmas = 0, kDslbis = 1, kDsmscis = 2, kDsis = 3, kDsemts = 4, kSslbis = 5 };

namespace dsmas {
inline constexpr unsigned kHandle = 4, kFlags = 5, kDpaBase = 8, kDpaLength = 16, kSize = 24;
inline constexpr std::uint8_t kFlagNonVolatile = 1u << 2;
inline constexpr std::uint8_t kFlagShareable = 1u << 3;
inline constexpr std::uint8_t kFlagReadOnly = 1u << 6;
}  // namespace dsmas
namespace dslbis {
inline constexpr unsigned kHandle = 4, kFlags = 5, kDataType = 6, kBaseUnit = 8, kEntry0 = 16, kSize = 24;
}  // namespace dslbis
namespace dsmscis {
inline constexpr unsigned kHandle = 4, kCacheSize = 8, kCacheAttributes = 16, kSize = 20;
}  // namespace dsmscis
namespace dsis {
inline constexpr unsigned kFlags = 4, kHandle = 5, kSize = 8;
}  // namespace dsis
namespace dsemts {
inline constexpr unsigned kHandle = 4, kMemoryType = 5, kDpaOffset = 8, kDpaLength = 16, kSize = 24;
// The values QEMU uses; the full EFI type/attribute encoding is UNVERIFIED.
inline constexpr std::uint8_t kMemoryTypeVolatileSp = 1;   // EfiConventionalMemory + EFI_MEMORY_SP
inline constexpr std::uint8_t kMemoryTypePersistent = 2;
}  // namespace dsemts
namespace sslbis {
inline constexpr unsigned kDataType = 4, kBaseUnit = 8, kFirstEntry = 16, kEntrySize = 8, kHeaderSize = 16;
inline constexpr unsigned kPortX = 0, kPortY = 2, kValue = 4;   // within an entry
inline constexpr std::uint16_t kUpstreamPort = 0x0100;
inline constexpr std::uint16_t kAnyPort = 0xffff;
}  // namespace sslbis

// HMAT data types used by DSLBIS and SSLBIS.
enum class HmatType : std::uint8_t {
  kAccessLatency = 0, kReadLatency = 1, kWriteLatency = 2,
  kAccessBandwidth = 3, kReadBandwidth = 4, kWriteBandwidth = 5,
};
// A 16-bit DSLBIS/SSLBIS entry (value = entry x base unit); 0 and this mean "no value".
inline constexpr std::uint16_t kEntryInvalid = 0xffff;

}  // namespace cpmu::regs::cdat
