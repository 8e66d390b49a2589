// CpmuDevice: configuration words and register accesses, as literal values
// worked out from facts §2.1-2.5.
#include "counting/cpmu_device.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace cpmu {
namespace {

TEST(CpmuDevice, ConfigWordPlacesEveryField) {
  CounterProgram p;
  p.enable = true;                 // bit 8
  p.interrupt_on_overflow = true;  // bit 9
  p.edge = true;                   // bit 11
  p.threshold = 3;                 // 23:16
  p.events = 0x2;                  // 55:24
  p.event_group_index = 1;         // 63:59
  EXPECT_EQ(counter_config_word(p), 0x0800'0000'0203'0b00u);
  p = CounterProgram{};
  p.freeze_on_overflow = true;     // bit 10
  p.invert = true;                 // bit 12
  p.events = 0xffff'ffff;
  p.event_group_index = 31;
  EXPECT_EQ(counter_config_word(p), 0xf8ff'ffff'ff00'1400u);
  EXPECT_EQ(counter_config_word(CounterProgram{}), 0u);
}

TEST(CpmuDevice, UnfilteredMeansAllOnesInEveryFilterRegister) {
  for (std::uint32_t word : CounterProgram::unfiltered()) EXPECT_EQ(word, 0xffff'ffffu);
  EXPECT_EQ(CounterProgram{}.filters.size(), 8u);
}

// A register file that remembers writes and answers reads from them.
class FakeMmio final : public Mmio {
 public:
  std::uint64_t size() const override { return 0xe00; }
  std::uint32_t read32(std::uint64_t offset) override {
    ++reads;
    return static_cast<std::uint32_t>(regs[offset]);
  }
  std::uint64_t read64(std::uint64_t offset) override {
    ++reads;
    // A scripted register answers its values in turn, then keeps the last.
    if (auto it = script.find(offset); it != script.end() && !it->second.empty()) {
      regs[offset] = it->second.front();
      it->second.erase(it->second.begin());
    }
    return regs[offset];
  }
  void write32(std::uint64_t offset, std::uint32_t value) override { log.push_back({offset, value, 4}); }
  void write64(std::uint64_t offset, std::uint64_t value) override { log.push_back({offset, value, 8}); }

  struct Write {
    std::uint64_t offset, value;
    unsigned size;
    bool operator==(const Write&) const = default;
  };
  std::map<std::uint64_t, std::uint64_t> regs;
  std::map<std::uint64_t, std::vector<std::uint64_t>> script;
  std::vector<Write> log;
  unsigned reads = 0;
};

CpmuCapabilities caps16() {
  CpmuCapabilities c;
  c.counter_count = 4;
  c.counter_width = 16;
  return c;
}

TEST(CpmuDevice, ProgramWritesConfigThenAllEightFiltersThenZero) {
  auto mmio = std::make_unique<FakeMmio>();
  FakeMmio& regs = *mmio;
  CpmuDevice device(std::move(mmio), caps16());
  CounterProgram p;
  p.enable = true;
  p.events = 0x4;
  p.filters[0] = 7;   // HDM decoder 7
  device.program(2, p);
  using W = FakeMmio::Write;
  const std::vector<W> expected = {
      {0x210, 0x0000'0000'0400'0100, 8},                                       // counter 2 configuration
      {0x440, 7, 4},          {0x444, 0xffff'ffff, 4}, {0x448, 0xffff'ffff, 4},  // filters 0x400 + 4(f + 16)
      {0x44c, 0xffff'ffff, 4}, {0x450, 0xffff'ffff, 4}, {0x454, 0xffff'ffff, 4},
      {0x458, 0xffff'ffff, 4}, {0x45c, 0xffff'ffff, 4},
      {0xc10, 0, 8},                                                           // counter 2 value
  };
  EXPECT_EQ(regs.log, expected);
}

TEST(CpmuDevice, SnapshotReadsStatusClearsItsBitsThenReadsValues) {
  auto mmio = std::make_unique<FakeMmio>();
  FakeMmio& regs = *mmio;
  regs.regs[0x010] = 0b1101;   // counters 0, 2, 3 overflowed; 3 is not ours
  regs.regs[0xc00] = 5;
  regs.regs[0xc10] = 6;
  CpmuDevice device(std::move(mmio), caps16());
  CpmuSnapshot snap;
  const unsigned counters[] = {0, 2};
  device.snapshot(counters, true, snap);
  EXPECT_FALSE(snap.device_gone);
  EXPECT_EQ(snap.overflow, 0b0101u);
  EXPECT_EQ(snap.values, (std::vector<std::uint64_t>{5, 6}));
  // RW1C: exactly our bits are written back.
  EXPECT_EQ(regs.log, (std::vector<FakeMmio::Write>{{0x010, 0b0101, 8}}));
  EXPECT_EQ(regs.reads, 3u);
}

// Unfrozen, counter 2 wraps between the first status read and its value
// read: its bit shows at the second status read, which clears it, and the
// counter is read again after that, so bit and value belong together.
TEST(CpmuDevice, UnfrozenSnapshotReadsStatusAgainAndRereadsCountersWhoseBitAppeared) {
  auto mmio = std::make_unique<FakeMmio>();
  FakeMmio& regs = *mmio;
  regs.script[0x010] = {0b0001, 0b0100};
  regs.script[0xc10] = {3, 9};
  regs.regs[0xc00] = 5;
  CpmuDevice device(std::move(mmio), caps16());
  CpmuSnapshot snap;
  const unsigned counters[] = {0, 2};
  device.snapshot(counters, false, snap);
  EXPECT_EQ(snap.overflow, 0b0101u);
  EXPECT_EQ(snap.reread, 0b0100u);
  EXPECT_EQ(snap.values, (std::vector<std::uint64_t>{5, 9}));
  EXPECT_EQ(regs.log, (std::vector<FakeMmio::Write>{{0x010, 0b0001, 8}, {0x010, 0b0100, 8}}));
  EXPECT_EQ(regs.reads, 5u);   // status, 2 values, status, counter 2 again
}

TEST(CpmuDevice, AllOnesReadsAreConfirmedAgainstTheCapabilityRegister) {
  auto mmio = std::make_unique<FakeMmio>();
  FakeMmio& regs = *mmio;
  regs.regs[0x010] = ~0ULL;
  regs.regs[0x000] = ~0ULL;
  CpmuDevice device(std::move(mmio), caps16());
  CpmuSnapshot snap;
  const unsigned counters[] = {0};
  device.snapshot(counters, true, snap);
  EXPECT_TRUE(snap.device_gone);
  EXPECT_TRUE(regs.log.empty());   // nothing written to a vanished device

  // A 16-bit value above 0xffff is impossible, but the Capability register
  // reads fine: not gone.
  regs.regs[0x010] = 0;
  regs.regs[0x000] = 0x0007'0000'0000'1003;
  regs.regs[0xc00] = 0x1'0000;
  device.snapshot(counters, true, snap);
  EXPECT_FALSE(snap.device_gone);
}

TEST(CpmuDevice, FreezeAndOverflowRegistersAreWrittenAsTold) {
  auto mmio = std::make_unique<FakeMmio>();
  FakeMmio& regs = *mmio;
  CpmuDevice device(std::move(mmio), caps16());
  device.write_freeze(0b1011);
  device.write_freeze(0);
  device.clear_overflow(0b10);
  EXPECT_EQ(regs.log, (std::vector<FakeMmio::Write>{{0x018, 0b1011, 8}, {0x018, 0, 8}, {0x010, 0b10, 8}}));
}

}  // namespace
}  // namespace cpmu
