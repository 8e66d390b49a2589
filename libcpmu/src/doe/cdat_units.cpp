// CDAT values in the units people read: HMAT gives latency in picoseconds
// and bandwidth in MB/s (facts §5.4); we report ns and bytes/s.
#include "cpmu/cdat.hpp"

namespace cpmu {
namespace {

constexpr std::uint64_t kPicosecondsPerNs = 1000;
constexpr std::uint64_t kBytesPerMegabyte = 1'000'000;   // HMAT MB/s are decimal

}  // namespace

std::string_view cdat_data_type_name(CdatDataType type) {
  switch (type) {
    case CdatDataType::kAccessLatency: return "access latency";
    case CdatDataType::kReadLatency: return "read latency";
    case CdatDataType::kWriteLatency: return "write latency";
    case CdatDataType::kAccessBandwidth: return "access bandwidth";
    case CdatDataType::kReadBandwidth: return "read bandwidth";
    case CdatDataType::kWriteBandwidth: return "write bandwidth";
  }
  return "unknown data type";
}

bool cdat_is_latency(CdatDataType type) {
  return type == CdatDataType::kAccessLatency || type == CdatDataType::kReadLatency ||
         type == CdatDataType::kWriteLatency;
}

std::optional<std::uint64_t> cdat_normalize(std::uint16_t entry, std::uint64_t base_unit, CdatDataType type) {
  if (entry == 0 || entry == regs::cdat::kEntryInvalid) return std::nullopt;
  if (static_cast<unsigned>(type) > static_cast<unsigned>(CdatDataType::kWriteBandwidth)) return std::nullopt;
  std::uint64_t product = 0;
  // A base unit of 0 carries no value either.
  if (__builtin_mul_overflow(std::uint64_t{entry}, base_unit, &product) || product == 0) return std::nullopt;
  if (cdat_is_latency(type)) {
    // Rounded up, as Linux does, so a non-zero latency never reads as 0 ns.
    return product / kPicosecondsPerNs + (product % kPicosecondsPerNs != 0 ? 1 : 0);
  }
  std::uint64_t bytes_per_second = 0;
  if (__builtin_mul_overflow(product, kBytesPerMegabyte, &bytes_per_second)) return std::nullopt;
  return bytes_per_second;
}

}  // namespace cpmu
