// ConfigSpaceModel semantics (masks, RW1C, hooks, access checks), BAR sizing, and
// the config space build_function_config lays out, checked with literal
// values worked out from facts §1 and the PCI header layout.
#include "cxlsim/config_space_model.hpp"

#include <gtest/gtest.h>

#include "cxlsim/config_space_builder.hpp"
#include "cxlsim/cxl_function_config.hpp"

namespace cpmu::sim {
namespace {

FunctionLayout endpoint_layout() {
  FunctionLayout f;
  f.kind = FunctionKind::kEndpoint;
  f.identity = {0x1b36, 0xc003, 0x050210, 0x01, 0};
  f.bars = {{0, 0xa000'0000, 0x1'0000}, {2, 0xa004'0000, 0x4'0000}, {4, 0xa008'0000, 0x1000}};
  f.msix = {4, 0x0, 0x800, 16};
  f.link = {5, 8, 0, true};
  f.serial = 0x1122'3344'5566'7788;
  f.memory_ranges = {0x1000'0000};
  f.register_blocks = {{0, 1, 0}, {2, 3, 0}, {2, 4, 0x1'0000}};
  f.doe = true;
  return f;
}

FunctionLayout root_port_layout() {
  FunctionLayout f;
  f.kind = FunctionKind::kRootPort;
  f.identity = {0x1b36, 0xc000, 0x060400, 0, 0};
  f.buses = {0x0c, 0x0d, 0x11};
  f.window_base = 0xa010'0000;
  f.window_limit = 0xa02f'ffff;
  f.bars = {{0, 0xa000'0000, 0x4'0000}};
  f.msix = {0, 0x3'0000, 0x3'0800, 16};
  f.link = {4, 16, 2, true};
  f.register_blocks = {{0, 1, 0}, {0, 4, 0x1'0000}};
  return f;
}

struct Built {
  FunctionConfig config;
  std::uint32_t cfg32(unsigned offset) { return config.space.read(offset, 4).value(); }
  std::uint32_t cfg16(unsigned offset) { return config.space.read(offset, 2).value(); }
};

Built build(const FunctionLayout& f) { return Built{build_function_config(f).value()}; }

TEST(ConfigSpaceModel, WritesOnlyChangeWritableBits) {
  ConfigSpaceModel space;
  space.store(0x40, 4, 0x1234'5678);
  space.set_writable(0x40, 4, 0x0000'ff00);
  ASSERT_TRUE(space.write(0x40, 4, 0xaaaa'aaaa));
  EXPECT_EQ(space.read(0x40, 4).value(), 0x1234'aa78u);
}

TEST(ConfigSpaceModel, WriteOneToClearBitsClearOnOneAndKeepOnZero) {
  ConfigSpaceModel space;
  space.store(0x06, 2, 0x8010);
  space.set_write_one_to_clear(0x06, 2, 0xf800);
  ASSERT_TRUE(space.write(0x06, 2, 0x0000));
  EXPECT_EQ(space.read(0x06, 2).value(), 0x8010u);
  ASSERT_TRUE(space.write(0x06, 2, 0xffff));
  EXPECT_EQ(space.read(0x06, 2).value(), 0x0010u);
}

TEST(ConfigSpaceModel, NarrowReadsSeeTheRightBytes) {
  ConfigSpaceModel space;
  space.store(0x100, 4, 0x1441'0023);
  EXPECT_EQ(space.read(0x100, 1).value(), 0x23u);
  EXPECT_EQ(space.read(0x102, 2).value(), 0x1441u);
  EXPECT_EQ(space.read(0x103, 1).value(), 0x14u);
}

TEST(ConfigSpaceModel, RejectsMisalignedOversizedAndOutOfRangeAccesses) {
  ConfigSpaceModel space;
  Result<std::uint32_t> misaligned = space.read(0x102, 4);
  ASSERT_FALSE(misaligned);
  EXPECT_EQ(misaligned.error().code(), Errc::kInvalidArgument);
  EXPECT_NE(misaligned.error().message().find("0x102"), std::string::npos);
  EXPECT_NE(misaligned.error().message().find("not naturally aligned"), std::string::npos);
  EXPECT_NE(space.read(0x1000, 1).error().message().find("outside"), std::string::npos);
  EXPECT_NE(space.write(0x10, 3, 0).error().message().find("size must be 1, 2 or 4"), std::string::npos);
  EXPECT_FALSE(space.write(0xffe, 4, 0));
}

TEST(ConfigSpaceModel, HookedRangeGoesToTheModel) {
  ConfigSpaceModel space;
  std::vector<std::tuple<unsigned, unsigned, std::uint32_t>> writes;
  ASSERT_TRUE(space.add_hook(
      0x180, 0x18, [](unsigned offset, unsigned size) { return 0xab00'0000u | (offset << 8) | size; },
      [&](unsigned offset, unsigned size, std::uint32_t value) { writes.emplace_back(offset, size, value); }));
  EXPECT_EQ(space.read(0x184, 4).value(), 0xab00'0404u);
  EXPECT_EQ(space.read(0x196, 2).value(), 0xab00'1602u);
  ASSERT_TRUE(space.write(0x190, 4, 0x55));
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0], std::make_tuple(0x10u, 4u, 0x55u));
  EXPECT_EQ(space.read(0x17c, 4).value(), 0u);   // just before the hook: plain bytes
  EXPECT_EQ(space.read(0x198, 4).value(), 0u);   // just after
}

TEST(ConfigSpaceModel, RejectsMisalignedAndOverlappingHooks) {
  ConfigSpaceModel space;
  auto read = [](unsigned, unsigned) { return 0u; };
  auto write = [](unsigned, unsigned, std::uint32_t) {};
  EXPECT_FALSE(space.add_hook(0x182, 4, read, write));
  EXPECT_FALSE(space.add_hook(0xffc, 8, read, write));
  ASSERT_TRUE(space.add_hook(0x180, 8, read, write));
  EXPECT_FALSE(space.add_hook(0x184, 8, read, write));
}

TEST(ConfigSpaceBuilder, BarSizingByWritingAllOnesWorksLikeHardware) {
  Built b = build(endpoint_layout());
  ConfigSpaceModel& s = b.config.space;
  EXPECT_EQ(b.cfg32(0x10), 0xa000'0004u);   // 64-bit memory BAR
  EXPECT_EQ(b.cfg32(0x14), 0u);
  ASSERT_TRUE(s.write(0x10, 4, 0xffff'ffff));
  ASSERT_TRUE(s.write(0x14, 4, 0xffff'ffff));
  EXPECT_EQ(b.cfg32(0x10), 0xffff'0004u);   // 64 KiB
  EXPECT_EQ(b.cfg32(0x14), 0xffff'ffffu);
  ASSERT_TRUE(s.write(0x18, 4, 0xffff'ffff));
  EXPECT_EQ(b.cfg32(0x18), 0xfffc'0004u);   // BAR 2: 256 KiB
  ASSERT_TRUE(s.write(0x10, 4, 0xa000'0000));
  ASSERT_TRUE(s.write(0x14, 4, 0));
  EXPECT_EQ(b.cfg32(0x10), 0xa000'0004u);
  // Unimplemented BAR 1 (the upper half of BAR 0 aside) and ROM stay 0.
  ASSERT_TRUE(s.write(0x30, 4, 0xffff'ffff));
  EXPECT_EQ(b.cfg32(0x30), 0u);
}

TEST(ConfigSpaceBuilder, RejectsBarsThatCannotExist) {
  ConfigSpaceModel space;
  ConfigSpaceBuilder builder(space);
  builder.header({0x1b36, 1, 0x050210, 0, 0});
  EXPECT_FALSE(builder.memory_bar64(5, 0, 0x1000));            // needs slots 5 and 6
  EXPECT_FALSE(builder.memory_bar64(0, 0, 0x3000));            // not a power of two
  EXPECT_FALSE(builder.memory_bar64(0, 0xa000'1000, 0x1'0000));  // base not aligned
  EXPECT_TRUE(builder.memory_bar64(0, 0xa001'0000, 0x1'0000));
}

TEST(FunctionConfig, EndpointHeaderAndCapabilityList) {
  Built b = build(endpoint_layout());
  EXPECT_EQ(b.cfg32(0x00), 0xc003'1b36u);
  EXPECT_EQ(b.cfg32(0x08), 0x0502'1001u);   // class 050210, revision 1
  EXPECT_EQ(b.cfg32(0x0c) >> 16 & 0xff, 0x00u);
  EXPECT_EQ(b.cfg32(0x2c), 0xc003'1b36u);   // subsystem
  EXPECT_EQ(b.cfg16(0x04), 0x0006u);        // memory decode and bus mastering on
  EXPECT_EQ(b.cfg16(0x06), 0x0010u);        // capability list
  EXPECT_EQ(b.cfg32(0x34), 0x40u);
  EXPECT_EQ(b.cfg32(0x40), 0x0002'7c10u);   // PCIe v2 endpoint, next 0x7c
  EXPECT_EQ(b.cfg32(0x4c), 0x0000'0085u);   // LnkCap: 32 GT/s x8, port 0
  EXPECT_EQ(b.cfg16(0x52), 0x0085u);        // LnkSta
  EXPECT_EQ(b.cfg32(0x6c), 0x0000'003eu);   // LnkCap2: 2.5..32 GT/s
  EXPECT_EQ(b.cfg32(0x7c), 0x000f'8811u);   // MSI-X, 16 vectors, next 0x88
  EXPECT_EQ(b.cfg32(0x80), 0x0000'0004u);   // table in BAR 4 at 0
  EXPECT_EQ(b.cfg32(0x84), 0x0000'0804u);   // PBA in BAR 4 at 0x800
  EXPECT_EQ(b.cfg32(0x88), 0x0003'0001u);   // power management v1.2, end of list
}

TEST(FunctionConfig, EndpointExtendedCapabilities) {
  Built b = build(endpoint_layout());
  EXPECT_EQ(b.cfg32(0x100), 0x10c1'0003u);   // DSN, next 0x10c
  EXPECT_EQ(b.cfg32(0x104), 0x5566'7788u);
  EXPECT_EQ(b.cfg32(0x108), 0x1122'3344u);
  EXPECT_EQ(b.cfg32(0x10c), 0x1441'0023u);   // DVSEC, next 0x144
  EXPECT_EQ(b.cfg32(0x110), 0x0381'1e98u);   // CXL, rev 1, 56 bytes
  EXPECT_EQ(b.cfg32(0x114), 0x001e'0000u);   // ID 0; IO, Mem, HW init, 1 HDM range
  EXPECT_EQ(b.cfg32(0x118), 0x0000'0002u);   // IO enabled
  EXPECT_EQ(b.cfg32(0x124), 0x0000'0000u);   // range 1 size high
  EXPECT_EQ(b.cfg32(0x128), 0x1000'004bu);   // 256 MiB, valid, active, CDAT type/class
  EXPECT_EQ(b.cfg32(0x144), 0x1681'0023u);   // Register Locator, next 0x168
  EXPECT_EQ(b.cfg32(0x148), 0x0240'1e98u);   // rev 0, 36 bytes
  EXPECT_EQ(b.cfg32(0x14c), 0x0000'0008u);
  EXPECT_EQ(b.cfg32(0x150), 0x0000'0100u);   // BAR 0, component, offset 0
  EXPECT_EQ(b.cfg32(0x158), 0x0000'0302u);   // BAR 2, memory device, offset 0
  EXPECT_EQ(b.cfg32(0x160), 0x0001'0402u);   // BAR 2, CPMU, offset 0x10000
  EXPECT_EQ(b.cfg32(0x164), 0x0000'0000u);
  EXPECT_EQ(b.cfg32(0x168), 0x1781'0023u);   // GPF for devices, next 0x178
  EXPECT_EQ(b.cfg32(0x16c), 0x0100'1e98u);
  EXPECT_EQ(b.cfg32(0x170), 0x0603'0005u);   // ID 5, phase 2 duration 3 s
  EXPECT_EQ(b.cfg32(0x178), 0x0001'002eu);   // DOE v1, end of chain
  EXPECT_EQ(b.config.doe_offset, 0x178u);
}

TEST(FunctionConfig, MemEnableIsWritableButCapabilityIsNot) {
  Built b = build(endpoint_layout());
  ASSERT_TRUE(b.config.space.write(0x114, 4, 0xffff'ffff));
  EXPECT_EQ(b.cfg32(0x114), 0x001e'0000u);
  ASSERT_TRUE(b.config.space.write(0x118, 2, 0xffff));
  EXPECT_EQ(b.cfg16(0x118), 0x0006u);
}

TEST(FunctionConfig, RootPortIsABridgeWithPortDvsecs) {
  Built b = build(root_port_layout());
  EXPECT_EQ(b.cfg32(0x00), 0xc000'1b36u);
  EXPECT_EQ(b.cfg32(0x08), 0x0604'0000u);
  EXPECT_EQ(b.cfg32(0x0c) >> 16 & 0x7f, 0x01u);
  EXPECT_EQ(b.cfg32(0x18), 0x0011'0d0cu);   // primary 0c, secondary 0d, subordinate 11
  EXPECT_EQ(b.cfg32(0x20), 0xa020'a010u);   // memory window a0100000..a02fffff
  EXPECT_EQ(b.cfg32(0x40), 0x0042'7c10u);   // PCIe v2 root port
  EXPECT_EQ(b.cfg32(0x4c), 0x0210'0104u);   // 16 GT/s x16, port 2, DLL active reporting
  EXPECT_EQ(b.cfg16(0x52), 0x2104u);        // DL active, x16, 16 GT/s
  EXPECT_EQ(b.cfg32(0x80), 0x0003'0000u);   // MSI-X table in BAR 0 at 0x30000
  EXPECT_EQ(b.cfg32(0x100), 0x1281'0023u);  // port extensions, next 0x128
  EXPECT_EQ(b.cfg32(0x104), 0x0280'1e98u);  // rev 0, 40 bytes
  EXPECT_EQ(b.cfg32(0x108), 0x0000'0003u);
  EXPECT_EQ(b.cfg32(0x128), 0x1381'0023u);  // GPF for ports
  EXPECT_EQ(b.cfg32(0x130), 0x0000'0004u);
  EXPECT_EQ(b.cfg32(0x134), 0x0001'0001u);  // phase 1 and 2 timeouts 1 us
  EXPECT_EQ(b.cfg32(0x138), 0x14c1'0023u);  // Flex Bus
  EXPECT_EQ(b.cfg32(0x13c), 0x0141'1e98u);  // rev 1, 20 bytes
  EXPECT_EQ(b.cfg32(0x140), 0x0026'0007u);  // IO, Mem, 68B flit
  EXPECT_EQ(b.cfg32(0x144), 0x0026'0002u);  // control IO; status: all three active
  EXPECT_EQ(b.cfg32(0x14c), 0x0001'0023u);  // Register Locator, end of chain
  EXPECT_EQ(b.cfg32(0x150), 0x01c0'1e98u);  // 28 bytes: two entries
  EXPECT_EQ(b.cfg32(0x158), 0x0000'0100u);
  EXPECT_EQ(b.cfg32(0x160), 0x0001'0400u);
  EXPECT_FALSE(b.config.doe_offset);
}

TEST(FunctionConfig, BridgeBusNumbersAndWindowAreWritable) {
  Built b = build(root_port_layout());
  ASSERT_TRUE(b.config.space.write(0x18, 4, 0x0012'0e0c));
  EXPECT_EQ(b.cfg32(0x18), 0x0012'0e0cu);
  ASSERT_TRUE(b.config.space.write(0x20, 4, 0xffff'ffff));
  EXPECT_EQ(b.cfg32(0x20), 0xfff0'fff0u);
}

TEST(FunctionConfig, CapabilityLoopFaultPointsTheLastCapabilityBackAtTheFirst) {
  FunctionLayout f = endpoint_layout();
  f.capability_loop = true;
  Built b = build(f);
  EXPECT_EQ(b.cfg32(0x178), 0x1001'002eu);   // DOE's next = 0x100
}

TEST(FunctionConfig, DvsecLengthFaultClaimsMoreThanConfigSpaceHolds) {
  FunctionLayout f = endpoint_layout();
  f.dvsec_length_past_config_space = true;
  Built b = build(f);
  EXPECT_EQ(b.cfg32(0x148), 0xfff0'1e98u);
  EXPECT_EQ(b.cfg32(0x144), 0x1681'0023u);   // the chain itself is intact
}

TEST(FunctionConfig, EmptyDownstreamPortReportsLinkDown) {
  FunctionLayout f = root_port_layout();
  f.kind = FunctionKind::kDownstreamPort;
  f.link.up = false;
  Built b = build(f);
  EXPECT_EQ(b.cfg32(0x40) >> 16, 0x0062u);   // downstream port
  EXPECT_EQ(b.cfg16(0x52), 0x0004u);         // width 0, no DL active
  EXPECT_EQ(b.cfg32(0x144), 0x0000'0002u);   // Flex Bus status: nothing trained
}

TEST(FunctionConfig, RejectsLayoutsOutsideTheEncodings) {
  FunctionLayout f = endpoint_layout();
  f.link.speed_code = 7;
  EXPECT_FALSE(build_function_config(f));
  f = endpoint_layout();
  f.memory_ranges = {0x1000'0000, 0x1000'0000, 0x1000'0000};
  EXPECT_FALSE(build_function_config(f));
}

}  // namespace
}  // namespace cpmu::sim
