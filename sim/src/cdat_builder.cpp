#include "cxlsim/cdat_builder.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <span>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "cpmu/regs/cdat.hpp"

namespace cpmu::sim {
namespace {

namespace cdat = cpmu::regs::cdat;
using cdat::HmatType;
using Bytes = std::vector<std::uint8_t>;

// DSMAS handles are one byte.
constexpr std::size_t kMaxRanges = 256;
// An SSLBIS length is a 16-bit field.
constexpr std::size_t kMaxSslbisEntries = (0xffff - cdat::sslbis::kHeaderSize) / cdat::sslbis::kEntrySize;
constexpr std::uint64_t kMaxEntry = cdat::kEntryInvalid - 1;
// kTruncatedStructure removes one DW: the DOE response stays DW-aligned.
constexpr std::size_t kTruncateBytes = 4;
// kBadHeaderLength claims one DW more than the table holds.
constexpr std::uint32_t kHeaderLengthExcess = 4;

void put_le(Bytes& out, unsigned offset, std::uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) out[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

Bytes structure(cdat::Type type, unsigned size) {
  Bytes out(size, 0);
  out[cdat::kStructType] = static_cast<std::uint8_t>(type);
  put_le(out, cdat::kStructLength, size, 2);
  return out;
}

Error invalid(std::string message) { return Error(Errc::kInvalidArgument, std::move(message)); }

// The base unit for a DSLBIS/SSLBIS: every value must be an exact multiple
// in 1..0xFFFE (0 and 0xFFFF mean "no value"). A power of ten is preferred,
// as QEMU does, so that tables stay readable in a hex dump; otherwise the
// smallest base that fits keeps the entries as precise as possible.
Result<std::uint64_t> choose_base_unit(std::span<const std::uint64_t> values, std::string_view what) {
  std::uint64_t common = 0;
  std::uint64_t largest = 0;
  for (std::uint64_t value : values) {
    if (value == 0) return invalid(fmt::format("{}: 0 cannot be encoded (a 0 entry means \"no value\")", what));
    common = std::gcd(common, value);
    largest = std::max(largest, value);
  }
  std::uint64_t base = 1;
  while (base <= common / 10 && common % (base * 10) == 0) base *= 10;
  if (largest / base <= kMaxEntry) return base;
  // base must divide every value, and largest / base must fit in an entry.
  for (std::uint64_t entry = std::min(kMaxEntry, largest); entry >= 1; --entry) {
    if (largest % entry == 0 && common % (largest / entry) == 0) return largest / entry;
  }
  return invalid(fmt::format("{}: no base unit holds all values exactly in 16-bit entries "
                             "(largest {}, greatest common divisor {})",
                             what, largest, common));
}

Result<Bytes> dslbis(std::uint8_t handle, HmatType type, std::uint64_t value, std::string_view what) {
  auto base = choose_base_unit(std::span(&value, 1), what);
  if (!base) return base.error();
  Bytes out = structure(cdat::Type::kDslbis, cdat::dslbis::kSize);
  out[cdat::dslbis::kHandle] = handle;
  out[cdat::dslbis::kDataType] = static_cast<std::uint8_t>(type);   // flags 0: memory
  put_le(out, cdat::dslbis::kBaseUnit, *base, 8);
  put_le(out, cdat::dslbis::kEntry0, value / *base, 2);
  return out;
}

Result<Bytes> sslbis(HmatType type, const std::vector<SwitchPortPerf>& pairs,
                     std::uint64_t SwitchPortPerf::*member, std::string_view what) {
  std::vector<std::uint64_t> values;
  for (const auto& pair : pairs) values.push_back(pair.*member);
  auto base = choose_base_unit(values, what);
  if (!base) return base.error();
  namespace s = cdat::sslbis;
  Bytes out = structure(cdat::Type::kSslbis, static_cast<unsigned>(s::kHeaderSize + s::kEntrySize * pairs.size()));
  out[s::kDataType] = static_cast<std::uint8_t>(type);
  put_le(out, s::kBaseUnit, *base, 8);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const unsigned entry = static_cast<unsigned>(s::kFirstEntry + s::kEntrySize * i);
    put_le(out, entry + s::kPortX, pairs[i].port_x, 2);
    put_le(out, entry + s::kPortY, pairs[i].port_y, 2);
    put_le(out, entry + s::kValue, values[i] / *base, 2);
  }
  return out;
}

Status make_dangling_handle(CdatEntries& table) {
  std::set<std::uint8_t> used;
  Bytes* first_dslbis = nullptr;
  for (auto& entry : std::span(table.entries).subspan(1)) {
    if (entry[cdat::kStructType] == static_cast<std::uint8_t>(cdat::Type::kDsmas)) used.insert(entry[cdat::dsmas::kHandle]);
    if (entry[cdat::kStructType] == static_cast<std::uint8_t>(cdat::Type::kDslbis) && first_dslbis == nullptr) {
      first_dslbis = &entry;
    }
  }
  if (first_dslbis == nullptr) return invalid("CDAT fault kDanglingHandle needs a DSLBIS, and this table has none");
  if (used.size() == kMaxRanges) return invalid("CDAT fault kDanglingHandle: all 256 DSMAS handles are in use");
  std::uint8_t unused = 0;
  while (used.count(unused) != 0) ++unused;
  (*first_dslbis)[cdat::dslbis::kHandle] = unused;
  return {};
}

// Applies the fault, then fills in the header; the checksum always covers the
// table as served, so each fault is the table's only defect.
Result<CdatEntries> finish(std::vector<Bytes> structures, CdatFault fault) {
  CdatEntries table;
  table.entries.emplace_back(cdat::header::kSize, 0);
  for (auto& s : structures) table.entries.push_back(std::move(s));

  if (fault == CdatFault::kTruncatedStructure) {
    table.entries[1].resize(table.entries[1].size() - kTruncateBytes);
  } else if (fault == CdatFault::kDanglingHandle) {
    if (auto made = make_dangling_handle(table); !made) return made.error();
  }

  Bytes& header = table.entries[0];
  std::size_t total = 0;
  for (const auto& entry : table.entries) total += entry.size();
  const std::uint32_t length = static_cast<std::uint32_t>(total) + (fault == CdatFault::kBadHeaderLength ? kHeaderLengthExcess : 0);
  put_le(header, cdat::header::kLength, length, 4);
  header[cdat::header::kRevision] = cdat::header::kRevision2;

  std::uint8_t sum = 0;
  for (const auto& entry : table.entries) {
    for (std::uint8_t byte : entry) sum = static_cast<std::uint8_t>(sum + byte);
  }
  std::uint8_t checksum = static_cast<std::uint8_t>(0x100 - sum);
  if (fault == CdatFault::kBadChecksum) ++checksum;
  header[cdat::header::kChecksum] = checksum;
  return table;
}

Status check_ranges(const std::vector<MemoryRangePerf>& ranges) {
  if (ranges.empty()) return invalid("endpoint CDAT: no memory ranges given");
  if (ranges.size() > kMaxRanges) {
    return invalid(fmt::format("endpoint CDAT: {} memory ranges, but DSMAS handles allow at most {}", ranges.size(), kMaxRanges));
  }
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const auto& r = ranges[i];
    if (r.dpa_length == 0) return invalid(fmt::format("endpoint CDAT: range {} has length 0", i));
    if (r.dpa_base + r.dpa_length < r.dpa_base) {
      return invalid(fmt::format("endpoint CDAT: range {} (base {:#x}, length {:#x}) runs past 2^64", i, r.dpa_base, r.dpa_length));
    }
    for (std::size_t j = 0; j < i; ++j) {
      const auto& o = ranges[j];
      if (r.dpa_base < o.dpa_base + o.dpa_length && o.dpa_base < r.dpa_base + r.dpa_length) {
        return invalid(fmt::format("endpoint CDAT: range {} overlaps range {}", i, j));
      }
    }
  }
  return {};
}

}  // namespace

std::vector<std::uint8_t> CdatEntries::bytes() const {
  std::vector<std::uint8_t> out;
  for (const auto& entry : entries) out.insert(out.end(), entry.begin(), entry.end());
  return out;
}

Result<CdatEntries> build_endpoint_cdat(const std::vector<MemoryRangePerf>& ranges, CdatFault fault) {
  if (auto ok = check_ranges(ranges); !ok) return ok.error();
  std::vector<Bytes> structures;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const auto& r = ranges[i];
    const auto handle = static_cast<std::uint8_t>(i);

    Bytes dsmas = structure(cdat::Type::kDsmas, cdat::dsmas::kSize);
    dsmas[cdat::dsmas::kHandle] = handle;
    dsmas[cdat::dsmas::kFlags] = r.persistent ? cdat::dsmas::kFlagNonVolatile : 0;
    put_le(dsmas, cdat::dsmas::kDpaBase, r.dpa_base, 8);
    put_le(dsmas, cdat::dsmas::kDpaLength, r.dpa_length, 8);
    structures.push_back(std::move(dsmas));

    const std::pair<HmatType, std::uint64_t> perf[] = {
        {HmatType::kReadLatency, r.read_latency_ps},
        {HmatType::kWriteLatency, r.write_latency_ps},
        {HmatType::kReadBandwidth, r.read_bandwidth_mbps},
        {HmatType::kWriteBandwidth, r.write_bandwidth_mbps},
    };
    for (const auto& [type, value] : perf) {
      auto s = dslbis(handle, type, value,
                      fmt::format("endpoint CDAT range {} HMAT data type {}", i, static_cast<unsigned>(type)));
      if (!s) return s.error();
      structures.push_back(std::move(*s));
    }

    // The DSEMTS DPA offset is relative to its DSMAS range: 0 covers all of it.
    Bytes dsemts = structure(cdat::Type::kDsemts, cdat::dsemts::kSize);
    dsemts[cdat::dsemts::kHandle] = handle;
    dsemts[cdat::dsemts::kMemoryType] =
        r.persistent ? cdat::dsemts::kMemoryTypePersistent : cdat::dsemts::kMemoryTypeVolatileSp;
    put_le(dsemts, cdat::dsemts::kDpaLength, r.dpa_length, 8);
    structures.push_back(std::move(dsemts));
  }
  return finish(std::move(structures), fault);
}

Result<CdatEntries> build_switch_cdat(const std::vector<SwitchPortPerf>& pairs, CdatFault fault) {
  if (pairs.empty()) return invalid("switch CDAT: no port pairs given");
  if (pairs.size() > kMaxSslbisEntries) {
    return invalid(fmt::format("switch CDAT: {} port pairs, but an SSLBIS holds at most {}", pairs.size(), kMaxSslbisEntries));
  }
  auto latency = sslbis(HmatType::kAccessLatency, pairs, &SwitchPortPerf::latency_ps, "switch CDAT latency");
  if (!latency) return latency.error();
  auto bandwidth = sslbis(HmatType::kAccessBandwidth, pairs, &SwitchPortPerf::bandwidth_mbps, "switch CDAT bandwidth");
  if (!bandwidth) return bandwidth.error();
  std::vector<Bytes> structures;
  structures.push_back(std::move(*latency));
  structures.push_back(std::move(*bandwidth));
  return finish(std::move(structures), fault);
}

}  // namespace cpmu::sim
