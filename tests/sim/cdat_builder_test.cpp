#include "cxlsim/cdat_builder.hpp"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cpmu::sim {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Independent little-endian reads: the layout is checked against literal
// offsets from the facts sheet (§5.2, §5.3), not against the regs constants.
std::uint64_t le(const Bytes& b, std::size_t offset, unsigned size) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= static_cast<std::uint64_t>(b.at(offset + i)) << (8 * i);
  return v;
}

unsigned byte_sum(const Bytes& b) {
  unsigned sum = 0;
  for (auto byte : b) sum += byte;
  return sum % 256;
}

Bytes read_dump(const std::string& relative) {
  std::ifstream in(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/" + relative, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// QEMU's default type-3 table: one 256 MiB persistent region (facts §6.3).
const MemoryRangePerf kQemuPmem{0, 256ull << 20, true, 150'000, 250'000, 16'000, 16'000};

// What a consumer takes from a table: one line per DSMAS/DSLBIS/DSEMTS/SSLBIS
// entry, values already multiplied out.
std::vector<std::string> decode(const Bytes& t) {
  std::vector<std::string> out;
  for (std::size_t at = 16; at < t.size();) {
    const auto type = t.at(at);
    const auto length = le(t, at + 2, 2);
    if (type == 0) {
      out.push_back("DSMAS h" + std::to_string(t[at + 4]) + " f" + std::to_string(t[at + 5]) + " base " +
                    std::to_string(le(t, at + 8, 8)) + " len " + std::to_string(le(t, at + 16, 8)));
    } else if (type == 1) {
      out.push_back("DSLBIS h" + std::to_string(t[at + 4]) + " f" + std::to_string(t[at + 5]) + " type " +
                    std::to_string(t[at + 6]) + " value " + std::to_string(le(t, at + 8, 8) * le(t, at + 16, 2)));
    } else if (type == 4) {
      out.push_back("DSEMTS h" + std::to_string(t[at + 4]) + " mem " + std::to_string(t[at + 5]) + " off " +
                    std::to_string(le(t, at + 8, 8)) + " len " + std::to_string(le(t, at + 16, 8)));
    } else if (type == 5) {
      for (std::size_t e = at + 16; e < at + length; e += 8) {
        out.push_back("SSLBIS type " + std::to_string(t[at + 4]) + " x " + std::to_string(le(t, e, 2)) + " y " +
                      std::to_string(le(t, e + 2, 2)) + " value " + std::to_string(le(t, at + 8, 8) * le(t, e + 4, 2)));
      }
    }
    if (length == 0) break;
    at += length;
  }
  return out;
}

TEST(CdatBuilder, QemuDefaultEndpointDecodesAndMatchesTheDumpByteForByte) {
  const Bytes dump = read_dump("full/cxl-type3_0d-00.0.cdat-doe.bin");
  ASSERT_EQ(dump.size(), 160u);
  auto table = build_endpoint_cdat({kQemuPmem});
  ASSERT_TRUE(table) << table.error().message();
  const Bytes bytes = table->bytes();

  const std::vector<std::string> expected{
      "DSMAS h0 f4 base 0 len 268435456",
      "DSLBIS h0 f0 type 1 value 150000",
      "DSLBIS h0 f0 type 2 value 250000",
      "DSLBIS h0 f0 type 4 value 16000",
      "DSLBIS h0 f0 type 5 value 16000",
      "DSEMTS h0 mem 2 off 0 len 268435456",
  };
  EXPECT_EQ(decode(dump), expected);
  EXPECT_EQ(decode(bytes), expected);
  // Same base units as QEMU (10000 ps, 1000 MB/s), so the bytes agree too.
  EXPECT_EQ(bytes, dump);
}

TEST(CdatBuilder, QemuSwitchUpstreamPortMatchesTheDumpByteForByte) {
  const Bytes dump = read_dump("switch/cxl-upstream_0d-00.0.cdat-doe.bin");
  ASSERT_EQ(dump.size(), 80u);
  auto table = build_switch_cdat({{0x0100, 0, 150'000, 16'000}, {0x0100, 1, 150'000, 16'000}});
  ASSERT_TRUE(table) << table.error().message();
  const std::vector<std::string> expected{
      "SSLBIS type 0 x 256 y 0 value 150000", "SSLBIS type 0 x 256 y 1 value 150000",
      "SSLBIS type 3 x 256 y 0 value 16000", "SSLBIS type 3 x 256 y 1 value 16000"};
  EXPECT_EQ(decode(dump), expected);
  EXPECT_EQ(table->bytes(), dump);
  ASSERT_EQ(table->entries.size(), 3u);
  EXPECT_EQ(table->entries[1].size(), 32u);
}

TEST(CdatBuilder, EachRangeGetsSixStructuresWithItsOwnHandle) {
  auto table = build_endpoint_cdat({{0, 1ull << 30, false, 80'000, 90'000, 30'000, 20'000},
                                    {1ull << 30, 1ull << 29, true, 300'000, 400'000, 8'000, 4'000}});
  ASSERT_TRUE(table) << table.error().message();
  ASSERT_EQ(table->entries.size(), 13u);
  EXPECT_EQ(table->entries[0].size(), 16u);
  for (std::size_t i = 1; i < 13; ++i) EXPECT_EQ(table->entries[i].size(), 24u) << "entry " << i;
  const std::vector<std::string> expected{
      "DSMAS h0 f0 base 0 len 1073741824",
      "DSLBIS h0 f0 type 1 value 80000",
      "DSLBIS h0 f0 type 2 value 90000",
      "DSLBIS h0 f0 type 4 value 30000",
      "DSLBIS h0 f0 type 5 value 20000",
      "DSEMTS h0 mem 1 off 0 len 1073741824",
      "DSMAS h1 f4 base 1073741824 len 536870912",
      "DSLBIS h1 f0 type 1 value 300000",
      "DSLBIS h1 f0 type 2 value 400000",
      "DSLBIS h1 f0 type 4 value 8000",
      "DSLBIS h1 f0 type 5 value 4000",
      "DSEMTS h1 mem 2 off 0 len 536870912",
  };
  EXPECT_EQ(decode(table->bytes()), expected);
}

TEST(CdatBuilder, HeaderHasTotalLengthRevisionTwoAndAZeroByteSum) {
  auto table = build_endpoint_cdat({kQemuPmem, {1ull << 28, 1ull << 28, false, 1, 2, 3, 4}});
  ASSERT_TRUE(table) << table.error().message();
  const Bytes bytes = table->bytes();
  ASSERT_EQ(bytes.size(), 16u + 12 * 24);
  EXPECT_EQ(le(bytes, 0, 4), 304u);
  EXPECT_EQ(bytes[4], 2);
  EXPECT_EQ(le(bytes, 12, 4), 0u);   // sequence
  EXPECT_EQ(byte_sum(bytes), 0u);
}

TEST(CdatBuilder, BaseUnitIsThePowerOfTenThatKeepsTheEntrySmall) {
  auto table = build_endpoint_cdat({{0, 4096, false, 123'000, 7, 65'534, 2'000'000'000}});
  ASSERT_TRUE(table) << table.error().message();
  const auto& e = table->entries;
  EXPECT_EQ(le(e[2], 8, 8), 1000u);
  EXPECT_EQ(le(e[2], 16, 2), 123u);
  EXPECT_EQ(le(e[3], 8, 8), 1u);
  EXPECT_EQ(le(e[3], 16, 2), 7u);
  EXPECT_EQ(le(e[4], 8, 8), 1u);
  EXPECT_EQ(le(e[4], 16, 2), 65534u);
  EXPECT_EQ(le(e[5], 8, 8), 1'000'000'000u);
  EXPECT_EQ(le(e[5], 16, 2), 2u);
}

TEST(CdatBuilder, ValuesWithoutAFittingPowerOfTenStillEncodeExactlyAndNeverAsFFFF) {
  // 65535 = 3 x 21845 would be the invalid entry 0xFFFF with base 1; 70001 is prime.
  auto table = build_endpoint_cdat({{0, 4096, false, 65'535, 70'001, 1, 1}});
  ASSERT_TRUE(table) << table.error().message();
  const auto& e = table->entries;
  EXPECT_EQ(le(e[2], 8, 8), 3u);
  EXPECT_EQ(le(e[2], 16, 2), 21845u);
  EXPECT_EQ(le(e[3], 8, 8), 70001u);
  EXPECT_EQ(le(e[3], 16, 2), 1u);
}

TEST(CdatBuilder, SwitchEntriesShareOneBaseUnit) {
  auto table = build_switch_cdat({{0x0100, 2, 100'000, 65'535}, {0x0100, 5, 3'000'000, 131'070}});
  ASSERT_TRUE(table) << table.error().message();
  const auto& latency = table->entries[1];
  EXPECT_EQ(le(latency, 8, 8), 100'000u);
  EXPECT_EQ(le(latency, 20, 2), 1u);
  EXPECT_EQ(le(latency, 28, 2), 30u);
  const auto& bandwidth = table->entries[2];
  EXPECT_EQ(le(bandwidth, 8, 8), 3u);
  EXPECT_EQ(le(bandwidth, 20, 2), 21845u);
  EXPECT_EQ(le(bandwidth, 28, 2), 43690u);
}

TEST(CdatBuilder, SwitchValuesNoBaseUnitCanHoldAreRejected) {
  auto table = build_switch_cdat({{0x0100, 0, 1, 16'000}, {0x0100, 1, 100'000, 16'000}});
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code(), Errc::kInvalidArgument);
  EXPECT_NE(table.error().message().find("switch CDAT latency"), std::string::npos) << table.error().message();
}

TEST(CdatBuilder, ZeroPerformanceValueIsRejectedNamingRangeAndType) {
  auto table = build_endpoint_cdat({kQemuPmem, {1ull << 28, 4096, false, 1, 1, 1, 0}});
  ASSERT_FALSE(table);
  EXPECT_NE(table.error().message().find("range 1 HMAT data type 5"), std::string::npos) << table.error().message();
  EXPECT_FALSE(build_switch_cdat({{0x0100, 0, 150'000, 0}}));
}

TEST(CdatBuilder, BadRangeListsAreRejected) {
  EXPECT_FALSE(build_endpoint_cdat({}));
  EXPECT_FALSE(build_switch_cdat({}));
  auto empty = build_endpoint_cdat({{0, 0, false, 1, 1, 1, 1}});
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message().find("range 0 has length 0"), std::string::npos);
  auto overlap = build_endpoint_cdat({{0, 8192, false, 1, 1, 1, 1}, {4096, 8192, false, 1, 1, 1, 1}});
  ASSERT_FALSE(overlap);
  EXPECT_NE(overlap.error().message().find("range 1 overlaps range 0"), std::string::npos);
  EXPECT_FALSE(build_endpoint_cdat({{~0ull - 10, 4096, false, 1, 1, 1, 1}}));
  std::vector<MemoryRangePerf> many;
  for (std::uint64_t i = 0; i < 257; ++i) many.push_back({i * 4096, 4096, false, 1, 1, 1, 1});
  EXPECT_FALSE(build_endpoint_cdat(many));
  many.pop_back();
  EXPECT_TRUE(build_endpoint_cdat(many));
}

TEST(CdatBuilder, BadChecksumFaultMakesTheByteSumOne) {
  auto good = build_endpoint_cdat({kQemuPmem});
  auto bad = build_endpoint_cdat({kQemuPmem}, CdatFault::kBadChecksum);
  ASSERT_TRUE(good && bad);
  Bytes g = good->bytes(), b = bad->bytes();
  EXPECT_EQ(byte_sum(b), 1u);
  EXPECT_EQ(b[5], static_cast<std::uint8_t>(g[5] + 1));
  b[5] = g[5];
  EXPECT_EQ(b, g);
}

TEST(CdatBuilder, TruncatedStructureFaultShortensTheFirstStructureOnly) {
  auto table = build_endpoint_cdat({kQemuPmem}, CdatFault::kTruncatedStructure);
  ASSERT_TRUE(table) << table.error().message();
  const auto& first = table->entries[1];
  EXPECT_EQ(first.size(), 20u);
  EXPECT_EQ(le(first, 2, 2), 24u);
  const Bytes bytes = table->bytes();
  EXPECT_EQ(le(bytes, 0, 4), 156u);
  EXPECT_EQ(byte_sum(bytes), 0u);
}

TEST(CdatBuilder, DanglingHandleFaultPointsTheFirstDslbisAtAMissingDsmas) {
  auto table = build_endpoint_cdat({kQemuPmem, {1ull << 28, 4096, false, 1, 1, 1, 1}}, CdatFault::kDanglingHandle);
  ASSERT_TRUE(table) << table.error().message();
  EXPECT_EQ(table->entries[2][0], 1);   // a DSLBIS
  EXPECT_EQ(table->entries[2][4], 2);   // handles 0 and 1 exist
  EXPECT_EQ(table->entries[3][4], 0);
  EXPECT_EQ(byte_sum(table->bytes()), 0u);
  EXPECT_FALSE(build_switch_cdat({{0x0100, 0, 1, 1}}, CdatFault::kDanglingHandle));
}

TEST(CdatBuilder, BadHeaderLengthFaultClaimsFourMoreBytes) {
  auto table = build_switch_cdat({{0x0100, 0, 150'000, 16'000}}, CdatFault::kBadHeaderLength);
  ASSERT_TRUE(table) << table.error().message();
  const Bytes bytes = table->bytes();
  EXPECT_EQ(bytes.size(), 16u + 24 + 24);
  EXPECT_EQ(le(bytes, 0, 4), 68u);
  EXPECT_EQ(byte_sum(bytes), 0u);
}

}  // namespace
}  // namespace cpmu::sim
