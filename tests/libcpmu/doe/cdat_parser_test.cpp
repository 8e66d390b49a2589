// THEORY OF OPERATION: parse_cdat is checked against tables from outside our
// own code (QEMU 7.2's, dumped in a real guest: ../shared/qemu-cxl/dumps) with
// literal expected values, against cxlsim's tables, and against one table per
// validation rule, each broken in exactly one way.
#include "cpmu/cdat.hpp"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cxlsim/cdat_builder.hpp"

namespace cpmu {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return Bytes(std::istreambuf_iterator<char>(in), {});
}
const std::string kDumps = std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/";
Bytes qemu_type3() { return read_file(kDumps + "switch/cxl-type3_0f-00.0.cdat-doe.bin"); }
Bytes qemu_usp() { return read_file(kDumps + "switch/cxl-upstream_0d-00.0.cdat-doe.bin"); }

// Makes the byte sum 0 again after a deliberate edit.
void fix_checksum(Bytes& t) {
  t[5] = 0;
  unsigned sum = 0;
  for (auto b : t) sum += b;
  t[5] = static_cast<std::uint8_t>(256 - sum % 256);
}
void set_length(Bytes& t) {
  const auto n = static_cast<std::uint32_t>(t.size());
  for (unsigned i = 0; i < 4; ++i) t[i] = static_cast<std::uint8_t>(n >> (8 * i));
  fix_checksum(t);
}

std::string parse_error(const Bytes& t) {
  auto table = parse_cdat(t);
  EXPECT_FALSE(table);
  if (table) return "";
  EXPECT_EQ(table.error().code(), Errc::kMalformed);
  return table.error().message();
}

TEST(CdatNormalize, LatencyIsPicosecondsTimesEntryInNanosecondsRoundedUp) {
  EXPECT_EQ(cdat_normalize(15, 10000, CdatDataType::kReadLatency), 150u);
  EXPECT_EQ(cdat_normalize(25, 10000, CdatDataType::kWriteLatency), 250u);
  EXPECT_EQ(cdat_normalize(1, 1, CdatDataType::kAccessLatency), 1u);
  EXPECT_EQ(cdat_normalize(1001, 1, CdatDataType::kAccessLatency), 2u);
}

TEST(CdatNormalize, BandwidthIsMegabytesPerSecondTimesEntryInBytesPerSecond) {
  EXPECT_EQ(cdat_normalize(16, 1000, CdatDataType::kReadBandwidth), 16'000'000'000u);
  EXPECT_EQ(cdat_normalize(16, 1024, CdatDataType::kAccessBandwidth), 16'384'000'000u);
}

TEST(CdatNormalize, EntriesZeroAndAllOnesCarryNoValue) {
  EXPECT_EQ(cdat_normalize(0, 1000, CdatDataType::kReadBandwidth), std::nullopt);
  EXPECT_EQ(cdat_normalize(0xffff, 1000, CdatDataType::kReadBandwidth), std::nullopt);
  EXPECT_EQ(cdat_normalize(5, 0, CdatDataType::kReadLatency), std::nullopt);
}

TEST(CdatNormalize, OverflowGivesNoValueInsteadOfAWrappedOne) {
  EXPECT_EQ(cdat_normalize(0xfffe, 1ull << 63, CdatDataType::kReadLatency), std::nullopt);
  // Fits as MB/s, but not once multiplied to bytes/s.
  EXPECT_EQ(cdat_normalize(2, 1ull << 62, CdatDataType::kReadBandwidth), std::nullopt);
  EXPECT_EQ(cdat_normalize(0xfffe, 0xffffffffffffffffull / 0xfffe, CdatDataType::kAccessLatency),
            (0xffffffffffffffffull / 0xfffe * 0xfffe) / 1000 + 1);
}

TEST(CdatNormalize, UnknownDataTypeHasNoValue) {
  EXPECT_EQ(cdat_normalize(1, 1, static_cast<CdatDataType>(6)), std::nullopt);
}

TEST(CdatParser, DecodesQemuType3Table) {
  auto table = parse_cdat(qemu_type3());
  ASSERT_TRUE(table) << table.error().message();
  EXPECT_EQ(table->header.length, 160u);
  EXPECT_EQ(table->header.revision, 2u);
  EXPECT_EQ(table->header.sequence, 0u);
  ASSERT_EQ(table->dsmas.size(), 1u);
  EXPECT_EQ(table->dsmas[0].offset, 0x10u);
  EXPECT_EQ(table->dsmas[0].handle, 0u);
  EXPECT_EQ(table->dsmas[0].flags, 0x04u);
  EXPECT_TRUE(table->dsmas[0].non_volatile());
  EXPECT_EQ(table->dsmas[0].dpa_base, 0u);
  EXPECT_EQ(table->dsmas[0].dpa_length, 268435456u);

  ASSERT_EQ(table->dslbis.size(), 4u);
  const CdatDataType types[] = {CdatDataType::kReadLatency, CdatDataType::kWriteLatency,
                                CdatDataType::kReadBandwidth, CdatDataType::kWriteBandwidth};
  const std::uint64_t bases[] = {10000, 10000, 1000, 1000};
  const std::uint16_t entries[] = {15, 25, 16, 16};
  const std::uint64_t values[] = {150, 250, 16'000'000'000, 16'000'000'000};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& d = table->dslbis[i];
    EXPECT_EQ(d.handle, 0u);
    EXPECT_EQ(d.flags, 0u);
    EXPECT_TRUE(d.describes_memory());
    EXPECT_EQ(d.data_type, types[i]);
    EXPECT_EQ(d.base_unit, bases[i]);
    EXPECT_EQ(d.entries[0], entries[i]);
    EXPECT_EQ(d.value, values[i]) << i;
  }
  ASSERT_EQ(table->dsemts.size(), 1u);
  EXPECT_EQ(table->dsemts[0].handle, 0u);
  EXPECT_EQ(table->dsemts[0].memory_type, 2u);
  EXPECT_EQ(table->dsemts[0].dpa_offset, 0u);
  EXPECT_EQ(table->dsemts[0].dpa_length, 268435456u);
  EXPECT_TRUE(table->dsmscis.empty());
  EXPECT_TRUE(table->dsis.empty());
  EXPECT_TRUE(table->sslbis.empty());
  EXPECT_TRUE(table->unknown.empty());
  EXPECT_EQ(table->raw, qemu_type3());
}

TEST(CdatParser, DecodesQemuSwitchUpstreamPortTable) {
  auto table = parse_cdat(qemu_usp());
  ASSERT_TRUE(table) << table.error().message();
  EXPECT_EQ(table->header.length, 80u);
  ASSERT_EQ(table->sslbis.size(), 2u);
  const auto& latency = table->sslbis[0];
  EXPECT_EQ(latency.data_type, CdatDataType::kAccessLatency);
  EXPECT_EQ(latency.base_unit, 10000u);
  ASSERT_EQ(latency.entries.size(), 2u);
  EXPECT_EQ(latency.entries[0].port_x, 0x0100u);
  EXPECT_EQ(latency.entries[0].port_y, 0u);
  EXPECT_EQ(latency.entries[0].entry, 15u);
  EXPECT_EQ(latency.entries[0].value, 150u);
  EXPECT_EQ(latency.entries[1].port_x, 0x0100u);
  EXPECT_EQ(latency.entries[1].port_y, 1u);
  EXPECT_EQ(latency.entries[1].value, 150u);
  const auto& bandwidth = table->sslbis[1];
  EXPECT_EQ(bandwidth.data_type, CdatDataType::kAccessBandwidth);
  EXPECT_EQ(bandwidth.base_unit, 1000u);
  ASSERT_EQ(bandwidth.entries.size(), 2u);
  EXPECT_EQ(bandwidth.entries[0].value, 16'000'000'000u);
  EXPECT_EQ(bandwidth.entries[1].port_y, 1u);
  EXPECT_EQ(bandwidth.entries[1].value, 16'000'000'000u);
  EXPECT_TRUE(table->dsmas.empty());
}

TEST(CdatParser, KernelCopyIsTheSameTableAsTheDoeRead) {
  const Bytes kernel = read_file(kDumps + "switch/endpoint3.CDAT.bin");
  auto table = parse_cdat(kernel);
  ASSERT_TRUE(table) << table.error().message();
  EXPECT_EQ(table->raw, qemu_type3());
}

TEST(CdatParser, DecodesEveryQemuDumpInTheFullTopology) {
  for (const char* name : {"cxl-type3_0d-00.0.cdat-doe.bin", "cxl-type3_10-00.0.cdat-doe.bin",
                           "cxl-type3_11-00.0.cdat-doe.bin", "cxl-type3_df-00.0.cdat-doe.bin",
                           "cxl-upstream_0e-00.0.cdat-doe.bin", "endpoint5.CDAT.bin"}) {
    auto table = parse_cdat(read_file(kDumps + "full/" + name));
    EXPECT_TRUE(table) << name << ": " << table.error().message();
  }
}

TEST(CdatParser, DecodesSimulatorTablesWithTwoRanges) {
  auto built = sim::build_endpoint_cdat({{0, 1ull << 30, false, 80'000, 90'000, 32'000, 24'000},
                                         {1ull << 30, 2ull << 30, true, 300'000, 600'000, 8'000, 4'000}});
  ASSERT_TRUE(built);
  auto table = parse_cdat(built->bytes());
  ASSERT_TRUE(table) << table.error().message();
  ASSERT_EQ(table->dsmas.size(), 2u);
  EXPECT_FALSE(table->dsmas[0].non_volatile());
  EXPECT_EQ(table->dsmas[1].handle, 1u);
  EXPECT_EQ(table->dsmas[1].dpa_base, 1ull << 30);
  EXPECT_EQ(table->dsmas[1].dpa_length, 2ull << 30);
  ASSERT_EQ(table->dslbis.size(), 8u);
  EXPECT_EQ(table->dslbis[0].value, 80u);
  EXPECT_EQ(table->dslbis[1].value, 90u);
  EXPECT_EQ(table->dslbis[2].value, 32'000'000'000u);
  EXPECT_EQ(table->dslbis[3].value, 24'000'000'000u);
  EXPECT_EQ(table->dslbis[4].handle, 1u);
  EXPECT_EQ(table->dslbis[4].value, 300u);
  EXPECT_EQ(table->dslbis[7].value, 4'000'000'000u);
  ASSERT_EQ(table->dsemts.size(), 2u);
  EXPECT_EQ(table->dsemts[0].memory_type, 1u);
}

TEST(CdatParser, DecodesSimulatorSwitchTable) {
  auto built = sim::build_switch_cdat({{0x0100, 0, 120'000, 32'000}, {0x0100, 2, 140'000, 16'000},
                                       {0, 2, 50'000, 8'000}});
  ASSERT_TRUE(built);
  auto table = parse_cdat(built->bytes());
  ASSERT_TRUE(table) << table.error().message();
  ASSERT_EQ(table->sslbis.size(), 2u);
  ASSERT_EQ(table->sslbis[0].entries.size(), 3u);
  EXPECT_EQ(table->sslbis[0].entries[1].port_y, 2u);
  EXPECT_EQ(table->sslbis[0].entries[1].value, 140u);
  EXPECT_EQ(table->sslbis[0].entries[2].port_x, 0u);
  EXPECT_EQ(table->sslbis[0].entries[2].value, 50u);
  EXPECT_EQ(table->sslbis[1].entries[0].value, 32'000'000'000u);
}

TEST(CdatParser, RejectsABadChecksum) {
  auto built = sim::build_endpoint_cdat({{0, 1ull << 28, true, 150'000, 250'000, 16'000, 16'000}},
                                        sim::CdatFault::kBadChecksum);
  ASSERT_TRUE(built);
  EXPECT_EQ(parse_error(built->bytes()), "CDAT checksum is wrong: the table's bytes sum to 0x01 mod 256, not 0 "
                                         "(checksum byte 0x09)");
}

TEST(CdatParser, RejectsATruncatedStructure) {
  auto built = sim::build_endpoint_cdat({{0, 1ull << 28, true, 150'000, 250'000, 16'000, 16'000}},
                                        sim::CdatFault::kTruncatedStructure);
  ASSERT_TRUE(built);
  EXPECT_FALSE(parse_cdat(built->bytes()));
  // The same defect on its own: a table that ends inside its last structure.
  Bytes t = qemu_type3();
  t.resize(t.size() - 4);
  set_length(t);
  EXPECT_EQ(parse_error(t), "CDAT offset 0x88: DSEMTS (type 4) of 24 bytes runs past the end of the 156-byte table");
}

TEST(CdatParser, RejectsADanglingHandle) {
  auto built = sim::build_endpoint_cdat({{0, 1ull << 28, true, 150'000, 250'000, 16'000, 16'000}},
                                        sim::CdatFault::kDanglingHandle);
  ASSERT_TRUE(built);
  EXPECT_EQ(parse_error(built->bytes()), "CDAT offset 0x28: DSLBIS names DSMAS handle 1, but no DSMAS has that handle");
}

TEST(CdatParser, RejectsADsemtsOrDsmscisWithADanglingHandle) {
  Bytes t = qemu_type3();
  t[0x88 + 4] = 7;   // the DSEMTS handle
  fix_checksum(t);
  EXPECT_EQ(parse_error(t), "CDAT offset 0x88: DSEMTS names DSMAS handle 7, but no DSMAS has that handle");
  Bytes c = qemu_type3();
  const Bytes dsmscis = {2, 0, 20, 0, 9, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  c.insert(c.end(), dsmscis.begin(), dsmscis.end());
  set_length(c);
  EXPECT_EQ(parse_error(c), "CDAT offset 0xa0: DSMSCIS names DSMAS handle 9, but no DSMAS has that handle");
}

TEST(CdatParser, RejectsAHeaderLengthThatDisagreesWithTheBytesRead) {
  auto built = sim::build_endpoint_cdat({{0, 1ull << 28, true, 150'000, 250'000, 16'000, 16'000}},
                                        sim::CdatFault::kBadHeaderLength);
  ASSERT_TRUE(built);
  EXPECT_EQ(parse_error(built->bytes()), "CDAT header says the table is 164 bytes, but 160 bytes were read");
}

TEST(CdatParser, RejectsATableShorterThanItsHeader) {
  EXPECT_EQ(parse_error(Bytes(15, 0)), "CDAT is 15 bytes, shorter than its 16-byte header");
}

TEST(CdatParser, RejectsAStructureOfTheWrongLengthForItsType) {
  Bytes t = qemu_type3();
  t[0x28 + 2] = 20;   // the first DSLBIS claims 20 bytes
  fix_checksum(t);
  EXPECT_EQ(parse_error(t), "CDAT offset 0x28: DSLBIS (type 1) is 20 bytes, expected 24");
}

TEST(CdatParser, RejectsAStructureShorterThanItsOwnHeader) {
  Bytes t = qemu_type3();
  t[0x10 + 2] = 2;
  fix_checksum(t);
  EXPECT_EQ(parse_error(t), "CDAT offset 0x10: DSMAS (type 0) has length 2, shorter than its own 4-byte header");
}

TEST(CdatParser, RejectsSslbisThatIsNotSixteenPlusEightTimesN) {
  Bytes t = qemu_usp();
  t.resize(t.size() - 4);
  t[0x30 + 2] = 28;   // the second SSLBIS: 16 + 12
  set_length(t);
  EXPECT_EQ(parse_error(t), "CDAT offset 0x30: SSLBIS (type 5) is 28 bytes; it must be 16 + 8 x entries");
}

TEST(CdatParser, RejectsADuplicateDsmasHandle) {
  Bytes t = qemu_type3();
  const Bytes second(t.begin() + 0x10, t.begin() + 0x28);
  t.insert(t.end(), second.begin(), second.end());
  set_length(t);
  EXPECT_EQ(parse_error(t), "CDAT offset 0xa0: DSMAS handle 0 is used by an earlier DSMAS too");
}

TEST(CdatParser, RejectsTrailingBytesTooFewForAStructureHeader) {
  Bytes t = qemu_type3();
  t.push_back(0);
  t.push_back(0);
  set_length(t);
  EXPECT_EQ(parse_error(t), "CDAT offset 0xa0: 2 bytes left, too few for a structure header");
}

TEST(CdatParser, SkipsAndListsStructuresOfReservedTypes) {
  Bytes t = qemu_type3();
  const Bytes reserved = {7, 0, 12, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  t.insert(t.begin() + 0x10, reserved.begin(), reserved.end());
  set_length(t);
  auto table = parse_cdat(t);
  ASSERT_TRUE(table) << table.error().message();
  ASSERT_EQ(table->unknown.size(), 1u);
  EXPECT_EQ(table->unknown[0].offset, 0x10u);
  EXPECT_EQ(table->unknown[0].type, 7u);
  EXPECT_EQ(table->unknown[0].length, 12u);
  EXPECT_EQ(table->dsmas.size(), 1u);
  EXPECT_EQ(table->dslbis.size(), 4u);
}

TEST(CdatParser, DslbisWithAnInvalidEntryHasNoValue) {
  Bytes t = qemu_type3();
  t[0x28 + 16] = 0xff;   // read latency entry[0] = 0xFFFF
  t[0x28 + 17] = 0xff;
  fix_checksum(t);
  auto table = parse_cdat(t);
  ASSERT_TRUE(table) << table.error().message();
  EXPECT_EQ(table->dslbis[0].entries[0], 0xffffu);
  EXPECT_EQ(table->dslbis[0].value, std::nullopt);
}

}  // namespace
}  // namespace cpmu
