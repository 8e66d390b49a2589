#include "cxlsim/doe_model.hpp"

#include <cstdint>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace cpmu::sim {
namespace {

// Literal register offsets and bits from the facts sheet §4.1, so that the
// test does not lean on the constants the model uses.
constexpr unsigned kCap = 0x04, kCtrl = 0x08, kStatus = 0x0c, kWrite = 0x10, kRead = 0x14;
constexpr std::uint32_t kGo = 0x80000000, kAbort = 0x1, kIntEnable = 0x2;
constexpr std::uint32_t kBusy = 0x1, kIntStatus = 0x2, kError = 0x4, kReady = 0x80000000;

using Dws = std::vector<std::uint32_t>;

// Discovery of index i: DW0 VID 0x0001 type 0, DW1 length 3, DW2 index.
Dws discovery(std::uint32_t index) { return {0x00000001, 3, index}; }
// CXL table access, read entry `handle` of the CDAT: DW0 VID 0x1E98 type 2.
Dws read_entry(std::uint32_t handle) { return {0x00021e98, 3, handle << 16}; }

void send(DoeModel& doe, const Dws& request, std::uint32_t go = kGo) {
  for (auto dw : request) doe.write(kWrite, dw);
  doe.write(kCtrl, go);
}

// Reads DWs while Data Object Ready is set, acking each with a write of 0.
Dws receive(DoeModel& doe) {
  Dws out;
  while (doe.read(kStatus) & kReady) {
    out.push_back(doe.read(kRead));
    doe.write(kRead, 0);
  }
  return out;
}

Dws round_trip(DoeModel& doe, const Dws& request) {
  send(doe, request);
  return receive(doe);
}

const MemoryRangePerf kRange{0, 256ull << 20, true, 150'000, 250'000, 16'000, 16'000};

DoeSpec with_cdat() {
  auto table = build_endpoint_cdat({kRange});
  EXPECT_TRUE(table);
  return DoeSpec{false, 0, *table};
}

TEST(DoeModel, CapabilitiesReportInterruptSupportAndMessageNumber) {
  DoeModel with(DoeSpec{true, 5, std::nullopt});
  EXPECT_EQ(with.read(kCap), 0x0000000bu);
  DoeModel max(DoeSpec{true, 0x7ff, std::nullopt});
  EXPECT_EQ(max.read(kCap), 0x00000fffu);
  DoeModel without(DoeSpec{});
  EXPECT_EQ(without.read(kCap), 0u);
  without.write(kCap, 0xffffffff);
  EXPECT_EQ(without.read(kCap), 0u);
}

TEST(DoeModel, IdleMailboxReadsAllZero) {
  DoeModel doe(with_cdat());
  EXPECT_EQ(doe.read(kCtrl), 0u);
  EXPECT_EQ(doe.read(kStatus), 0u);
  EXPECT_EQ(doe.read(0x00), 0u);   // the ext-cap header is not the model's
  EXPECT_EQ(doe.read(0x18), 0u);
}

TEST(DoeModel, ControlReadsBackOnlyInterruptEnable) {
  DoeModel doe(DoeSpec{true, 0, std::nullopt});
  doe.write(kCtrl, 0x7ffffffe);   // every bit but Go and Abort
  EXPECT_EQ(doe.read(kCtrl), kIntEnable);
  doe.write(kCtrl, kGo);           // Go alone, as Linux writes it, clears Interrupt Enable
  EXPECT_EQ(doe.read(kCtrl), 0u);
}

TEST(DoeModel, DiscoveryIndexZeroAnswersDiscoveryItselfAndNamesTheNextIndex) {
  DoeModel doe(with_cdat());
  send(doe, discovery(0));
  EXPECT_EQ(doe.read(kStatus), kReady);
  EXPECT_EQ(doe.read(kRead), 0x00000001u);
  EXPECT_EQ(doe.read(kRead), 0x00000001u);   // reading does not advance
  doe.write(kRead, 0xdeadbeef);                // any value advances
  EXPECT_EQ(doe.read(kRead), 3u);
  doe.write(kRead, 0);
  EXPECT_EQ(doe.read(kRead), 0x01000001u);     // VID 0x0001, type 0, next index 1
  EXPECT_EQ(doe.read(kStatus), kReady);
  doe.write(kRead, 0);
  EXPECT_EQ(doe.read(kStatus), 0u);            // Ready drops after the last DW
  EXPECT_EQ(doe.exchanges(), 1u);
}

TEST(DoeModel, DiscoveryWalkListsDiscoveryAndCdatTableAccess) {
  DoeModel doe(with_cdat());
  Dws found;
  std::uint32_t index = 0;
  do {
    Dws response = round_trip(doe, discovery(index));
    ASSERT_EQ(response.size(), 3u);
    ASSERT_EQ(response[0], 0x00000001u);
    ASSERT_EQ(response[1], 3u);
    found.push_back(response[2] & 0x00ffffff);
    index = response[2] >> 24;
  } while (index != 0 && found.size() < 10);
  EXPECT_EQ(found, (Dws{0x000001, 0x021e98}));
  EXPECT_EQ(doe.read(kStatus), 0u);
}

TEST(DoeModel, WithoutCdatOnlyDiscoveryIsOfferedAndTableAccessIsAnError) {
  DoeModel doe(DoeSpec{});
  EXPECT_EQ(round_trip(doe, discovery(0)), (Dws{0x00000001, 3, 0x00000001}));
  send(doe, read_entry(0));
  EXPECT_EQ(doe.read(kStatus), kError);
}

TEST(DoeModel, DiscoveryPastTheLastIndexAnswersNoProtocol) {
  DoeModel doe(with_cdat());
  EXPECT_EQ(round_trip(doe, discovery(2)), (Dws{0x00000001, 3, 0x00ffffff}));
  // The version byte (15:8) does not change the answer.
  EXPECT_EQ(round_trip(doe, discovery(0x0201)), (Dws{0x00000001, 3, 0x00021e98}));
}

TEST(DoeModel, FullCdatReadByRawRegisterAccessReassemblesTheBuiltTable) {
  auto table = build_endpoint_cdat({kRange, {256ull << 20, 1ull << 30, false, 90'000, 95'000, 20'000, 18'000}});
  ASSERT_TRUE(table);
  DoeModel doe(DoeSpec{false, 0, *table});
  std::vector<std::uint8_t> reassembled;
  std::uint32_t handle = 0;
  unsigned reads = 0;
  do {
    Dws response = round_trip(doe, read_entry(handle));
    ASSERT_GE(response.size(), 4u);
    ASSERT_EQ(response[0], 0x00021e98u);
    ASSERT_EQ(response[1], response.size());
    ASSERT_EQ(response[2] & 0xffff, 0u);   // response code 0, table type 0
    for (std::size_t i = 3; i < response.size(); ++i) {
      for (unsigned b = 0; b < 4; ++b) reassembled.push_back(static_cast<std::uint8_t>(response[i] >> (8 * b)));
    }
    handle = response[2] >> 16;
    ++reads;
  } while (handle != 0xffff && reads < 100);
  EXPECT_EQ(reads, 13u);
  EXPECT_EQ(doe.exchanges(), 13u);
  EXPECT_EQ(reassembled, table->bytes());
  unsigned sum = 0;
  for (auto byte : reassembled) sum += byte;
  EXPECT_EQ(sum % 256, 0u);
  EXPECT_EQ(reassembled.size(), static_cast<std::size_t>(reassembled[0] | reassembled[1] << 8));   // header length
}

TEST(DoeModel, LastCdatEntryNamesNoNextHandle) {
  DoeModel doe(with_cdat());
  EXPECT_EQ(round_trip(doe, read_entry(0))[2], 0x00010000u);
  EXPECT_EQ(round_trip(doe, read_entry(6))[2], 0xffff0000u);
}

TEST(DoeModel, BadTableAccessRequestsSetError) {
  for (std::uint32_t payload : {7u << 16,      // no entry 7 in a 7-entry table
                                0x00000001u,   // request code 1
                                0x00000100u}) {  // table type 1
    DoeModel doe(with_cdat());
    send(doe, {0x00021e98, 3, payload});
    EXPECT_EQ(doe.read(kStatus), kError) << std::hex << payload;
    EXPECT_EQ(doe.exchanges(), 0u);
  }
}

TEST(DoeModel, UnknownProtocolSetsError) {
  DoeModel doe(with_cdat());
  send(doe, {0x00010001, 3, 0});   // CMA/SPDM is not offered
  EXPECT_EQ(doe.read(kStatus), kError);
}

TEST(DoeModel, RequestWhoseLengthDisagreesWithTheDwsWrittenSetsError) {
  // QEMU silently drops such a request; the model reports it.
  DoeModel doe(with_cdat());
  send(doe, {0x00000001, 4, 0});
  EXPECT_EQ(doe.read(kStatus), kError);
  DoeModel shorter(with_cdat());
  send(shorter, {0x00000001, 3, 0, 0});
  EXPECT_EQ(shorter.read(kStatus), kError);
  DoeModel header_only(with_cdat());
  send(header_only, {0x00000001, 2});
  EXPECT_EQ(header_only.read(kStatus), kError);
  DoeModel nothing(with_cdat());
  send(nothing, {});
  EXPECT_EQ(nothing.read(kStatus), kError);
}

TEST(DoeModel, LengthZeroMeansTwoToTheEighteenDws) {
  DoeModel three(with_cdat());
  send(three, {0x00000001, 0, 0});
  EXPECT_EQ(three.read(kStatus), kError);

  DoeModel full(with_cdat());
  Dws request(1u << 18, 0);
  request[0] = 0x00000001;   // discovery, index 0, the rest padding
  send(full, request);
  EXPECT_EQ(receive(full), (Dws{0x00000001, 3, 0x01000001}));

  DoeModel over(with_cdat());
  request.push_back(0);
  send(over, request);
  EXPECT_EQ(over.read(kStatus), kError);
}

TEST(DoeModel, ReadMailboxWithNothingPendingReadsZeroAndChangesNothing) {
  DoeModel doe(with_cdat());
  EXPECT_EQ(doe.read(kRead), 0u);
  EXPECT_EQ(doe.read(kStatus), 0u);
  EXPECT_EQ(round_trip(doe, discovery(0)).size(), 3u);
}

TEST(DoeModel, AdvancingWithNothingPendingSetsError) {
  DoeModel doe(with_cdat());
  doe.write(kRead, 0);
  EXPECT_EQ(doe.read(kStatus), kError);
}

TEST(DoeModel, AdvancingPastTheEndSetsError) {
  DoeModel doe(with_cdat());
  round_trip(doe, discovery(0));
  EXPECT_EQ(doe.read(kStatus), 0u);
  doe.write(kRead, 0);
  EXPECT_EQ(doe.read(kStatus), kError);
}

TEST(DoeModel, GoIsIgnoredWhileErrorIsSetAndAbortClearsIt) {
  DoeModel doe(with_cdat());
  doe.write(kRead, 0);
  send(doe, discovery(0));
  EXPECT_EQ(doe.read(kStatus), kError);
  doe.write(kCtrl, kAbort);
  EXPECT_EQ(doe.read(kStatus), 0u);
  EXPECT_EQ(round_trip(doe, discovery(0)).size(), 3u);
}

TEST(DoeModel, AbortDropsAPendingResponseAndAHalfWrittenRequest) {
  DoeModel doe(with_cdat());
  send(doe, discovery(0));
  doe.read(kRead);
  doe.write(kRead, 0);
  doe.write(kCtrl, kAbort);
  EXPECT_EQ(doe.read(kStatus), 0u);
  doe.write(kWrite, 0x00000001);   // half a request, then Abort
  doe.write(kCtrl, kAbort);
  EXPECT_EQ(round_trip(doe, discovery(1)), (Dws{0x00000001, 3, 0x00021e98}));
}

TEST(DoeModel, AbortWinsOverGoInTheSameWrite) {
  DoeModel doe(with_cdat());
  send(doe, discovery(0), kGo | kAbort);
  EXPECT_EQ(doe.read(kStatus), 0u);
  EXPECT_EQ(round_trip(doe, discovery(0)).size(), 3u);   // the request was dropped
}

TEST(DoeModel, InterruptStatusIsSetOnReadyAndClearedByWritingOne) {
  DoeModel doe(DoeSpec{true, 0, std::nullopt});
  send(doe, discovery(0));
  EXPECT_EQ(doe.read(kStatus), kReady | kIntStatus);
  doe.write(kStatus, 0xfffffffd);   // all but bit 1: nothing changes
  EXPECT_EQ(doe.read(kStatus), kReady | kIntStatus);
  doe.write(kStatus, kIntStatus);
  EXPECT_EQ(doe.read(kStatus), kReady);
}

TEST(DoeModel, InterruptStatusIsSetOnError) {
  DoeModel doe(DoeSpec{true, 0, std::nullopt});
  doe.write(kRead, 0);   // an underflow
  EXPECT_EQ(doe.read(kStatus), kError | kIntStatus);
}

TEST(DoeModel, InterruptStatusStaysZeroWithoutInterruptSupport) {
  DoeModel doe(DoeSpec{});
  send(doe, discovery(0), kGo | kIntEnable);
  EXPECT_EQ(doe.read(kStatus), kReady);
}

TEST(DoeModel, InterruptCallbackFiresOnlyWhenEnabled) {
  DoeModel doe(DoeSpec{true, 3, std::nullopt});
  int calls = 0;
  doe.set_interrupt_callback([&calls] { ++calls; });
  round_trip(doe, discovery(0));   // Go alone: Interrupt Enable 0
  EXPECT_EQ(calls, 0);
  doe.write(kStatus, kIntStatus);
  send(doe, discovery(0), kGo | kIntEnable);
  EXPECT_EQ(calls, 1);
  receive(doe);
  EXPECT_EQ(calls, 1);   // Interrupt Status still set: no new edge
  doe.write(kStatus, kIntStatus);
  send(doe, discovery(0), kGo | kIntEnable);
  EXPECT_EQ(calls, 2);
}

TEST(DoeModel, InterruptCallbackFiresWhenEnableIsSetWhileStatusIsPending) {
  DoeModel doe(DoeSpec{true, 0, std::nullopt});
  int calls = 0;
  doe.set_interrupt_callback([&calls] { ++calls; });
  send(doe, discovery(0));
  EXPECT_EQ(calls, 0);
  doe.write(kCtrl, kIntEnable);
  EXPECT_EQ(calls, 1);
}

TEST(DoeModel, BusyReadsCountDownBeforeTheResponseIsReady) {
  DoeModel doe(DoeSpec{true, 0, std::nullopt});
  doe.set_busy_status_reads(3);
  send(doe, discovery(0));
  EXPECT_EQ(doe.read(kStatus), kBusy);
  EXPECT_EQ(doe.read(kStatus), kBusy);
  EXPECT_EQ(doe.read(kStatus), kBusy);
  EXPECT_EQ(doe.read(kStatus), kReady | kIntStatus);
  EXPECT_EQ(receive(doe), (Dws{0x00000001, 3, 0x00000001}));
  // The setting holds for every later exchange.
  send(doe, discovery(0));
  EXPECT_EQ(doe.read(kStatus), kBusy | kIntStatus);
}

TEST(DoeModel, WritesWhileBusyAreIgnored) {
  DoeModel doe(DoeSpec{});
  doe.set_busy_status_reads(1);
  send(doe, discovery(0));
  send(doe, {0x00010001, 3, 0});   // would be an error if it were taken
  EXPECT_EQ(doe.read(kStatus), kBusy);
  EXPECT_EQ(receive(doe), (Dws{0x00000001, 3, 0x00000001}));
  EXPECT_EQ(doe.read(kStatus), 0u);
}

TEST(DoeModel, StuckBusyIgnoresGoUntilLifted) {
  DoeModel doe(with_cdat());
  doe.inject(DoeFault::kStuckBusy);
  send(doe, discovery(0));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(doe.read(kStatus), kBusy);
  doe.inject(DoeFault::kNone);
  EXPECT_EQ(doe.read(kStatus), 0u);
  EXPECT_EQ(round_trip(doe, discovery(1)), (Dws{0x00000001, 3, 0x00021e98}));
}

TEST(DoeModel, ErrorMidExchangeSetsErrorHalfwayThroughTheResponse) {
  DoeModel doe(with_cdat());
  doe.inject(DoeFault::kErrorMidExchange);
  send(doe, read_entry(1));   // 3 + 6 DWs: Error after 4 are advanced over
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(doe.read(kStatus), kReady);
    doe.write(kRead, 0);
  }
  EXPECT_EQ(doe.read(kStatus), kReady);
  doe.write(kRead, 0);
  EXPECT_EQ(doe.read(kStatus), kError);
  EXPECT_EQ(doe.exchanges(), 0u);
}

TEST(DoeModel, AbortThatNeverCompletesKeepsBusySetUntilLifted) {
  DoeModel doe(with_cdat());
  doe.inject(DoeFault::kAbortNeverCompletes);
  EXPECT_EQ(round_trip(doe, discovery(0)).size(), 3u);   // exchanges still work
  doe.write(kCtrl, kAbort);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(doe.read(kStatus), kBusy);
  send(doe, discovery(0));
  EXPECT_EQ(doe.read(kStatus), kBusy);
  doe.inject(DoeFault::kNone);
  EXPECT_EQ(doe.read(kStatus), 0u);
}

TEST(DoeModel, TruncatedResponseDropsReadyOneDwEarly) {
  DoeModel doe(with_cdat());
  doe.inject(DoeFault::kTruncatedResponse);
  EXPECT_EQ(round_trip(doe, discovery(0)), (Dws{0x00000001, 3}));
  EXPECT_EQ(doe.read(kStatus), 0u);
}

TEST(DoeModel, OversizedResponseCountsAnExtraDwThatReadsZero) {
  DoeModel doe(with_cdat());
  doe.inject(DoeFault::kOversizedResponse);
  EXPECT_EQ(round_trip(doe, discovery(0)), (Dws{0x00000001, 4, 0x01000001, 0}));
}

TEST(DoeModel, WrongHeaderAnswersWithAnotherType) {
  DoeModel doe(with_cdat());
  doe.inject(DoeFault::kWrongHeader);
  EXPECT_EQ(round_trip(doe, discovery(0)), (Dws{0x00010001, 3, 0x01000001}));
}

TEST(DoeModel, NoResponseAcceptsGoButNeverSetsReady) {
  DoeModel doe(with_cdat());
  doe.inject(DoeFault::kNoResponse);
  send(doe, discovery(0));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(doe.read(kStatus), 0u);
  EXPECT_EQ(doe.exchanges(), 0u);
  doe.inject(DoeFault::kNone);
  EXPECT_EQ(round_trip(doe, discovery(0)).size(), 3u);
}

}  // namespace
}  // namespace cpmu::sim
