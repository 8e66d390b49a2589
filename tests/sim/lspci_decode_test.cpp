// Simulated config space, written as `lspci -xxxx` text by lspci_text and
// decoded by the real lspci (pciutils) from the file: it must recognise the
// functions as CXL, with their DVSECs, Register Locator blocks and DOE. Then
// the same text read back by libcpmu's dump backend must give the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>

#include "cpmu/lspci_text.hpp"
#include "cxlsim/sim_platform.hpp"

namespace cpmu::sim {
namespace {

const PciAddress kMemA{0, 0x0f, 0, 0};
const PciAddress kDownstream0{0, 0x0e, 0, 0};
const PciAddress kUpstream{0, 0x0d, 0, 0};

std::optional<std::string> run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

class LspciDecode : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!run("lspci --version 2>/dev/null")) GTEST_SKIP() << "lspci (pciutils) is not installed; nothing to decode with";
    platform = open_sim_platform(std::nullopt, ClockMode::kVirtual).value();
  }
  void TearDown() override {
    if (!path.empty()) std::remove(path.c_str());
  }

  std::string write(const std::string& text) {
    path = ::testing::TempDir() + "lspci_decode_test_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".txt";
    std::ofstream(path) << text;
    return path;
  }
  // `lspci -F <dump> -vvv` for one function of the simulated machine.
  std::string decode(const PciAddress& address) {
    const std::string text = format_lspci_function(address, platform->read_config(address).value());
    return run("lspci -F " + write(text) + " -vvv 2>/dev/null").value_or("<lspci failed>");
  }

  std::unique_ptr<SimPlatform> platform;
  std::string path;
};

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "missing: " << part << "\nin:\n" << text;
}

TEST_F(LspciDecode, MemoryExpanderIsACxlDeviceWithItsDvsecsBlocksAndDoe) {
  const std::string out = decode(kMemA);
  expect_contains(out, "0f:00.0 CXL: ");
  expect_contains(out, "(prog-if 10 [CXL Memory Device (CXL 2.x)])");
  expect_contains(out, "Region 0: Memory at a0300000 (64-bit, non-prefetchable)");
  expect_contains(out, "Region 2: Memory at a0340000 (64-bit, non-prefetchable)");
  expect_contains(out, "Express (v2) Endpoint");
  expect_contains(out, "LnkCap:\tPort #0, Speed 32GT/s, Width x8");
  expect_contains(out, "MSI-X: Enable- Count=16");
  expect_contains(out, "Power Management version 3");
  expect_contains(out, "Device Serial Number 00-00-00-00-00-00-10-01");
  expect_contains(out, "Designated Vendor-Specific: Vendor=1e98 ID=0000 Rev=1 Len=56: CXL");
  expect_contains(out, "Range1: 0000000000000000-00000000ffffffff");
  expect_contains(out, "Designated Vendor-Specific: Vendor=1e98 ID=0008 Rev=0 Len=44: CXL");
  expect_contains(out, "Block1: BIR: bar0, ID: component registers, offset: 0000000000000000");
  expect_contains(out, "Block2: BIR: bar2, ID: CXL device registers, offset: 0000000000000000");
  expect_contains(out, "Block3: BIR: bar2, ID: CPMU registers, offset: 0000000000010000");
  expect_contains(out, "Block4: BIR: bar2, ID: CPMU registers, offset: 0000000000020000");
  expect_contains(out, "Designated Vendor-Specific: Vendor=1e98 ID=0005 Rev=0 Len=16: CXL");
  expect_contains(out, "Data Object Exchange");
}

TEST_F(LspciDecode, SwitchDownstreamPortIsACxlBridgeWithPortDvsecs) {
  const std::string out = decode(kDownstream0);
  expect_contains(out, "0e:00.0 PCI bridge: ");
  expect_contains(out, "Bus: primary=0e, secondary=0f, subordinate=0f");
  expect_contains(out, "Memory behind bridge: a0300000-a03fffff");
  expect_contains(out, "Express (v2) Downstream Port");
  expect_contains(out, "LnkSta:\tSpeed 32GT/s, Width x8");
  expect_contains(out, "Designated Vendor-Specific: Vendor=1e98 ID=0003 Rev=0 Len=40: CXL");
  expect_contains(out, "Designated Vendor-Specific: Vendor=1e98 ID=0004 Rev=0 Len=16: CXL");
  expect_contains(out, "Designated Vendor-Specific: Vendor=1e98 ID=0007 Rev=1 Len=20: CXL");
  expect_contains(out, "Designated Vendor-Specific: Vendor=1e98 ID=0008 Rev=0 Len=28: CXL");
  expect_contains(out, "Block1: BIR: bar0, ID: component registers, offset: 0000000000000000");
  expect_contains(out, "Block2: BIR: bar0, ID: CPMU registers, offset: 0000000000010000");
  EXPECT_EQ(out.find("Data Object Exchange"), std::string::npos);
}

TEST_F(LspciDecode, SwitchUpstreamPortHasDoe) {
  const std::string out = decode(kUpstream);
  expect_contains(out, "Express (v2) Upstream Port");
  expect_contains(out, "Designated Vendor-Specific: Vendor=1e98 ID=0007 Rev=1 Len=20: CXL");
  expect_contains(out, "Block2: BIR: bar0, ID: CPMU registers, offset: 0000000000010000");
  expect_contains(out, "Data Object Exchange");
}

TEST_F(LspciDecode, WholeMachineDumpListsEveryFunctionAsATree) {
  const std::string file = write(format_lspci_dump(*platform).value());
  const std::string list = run("lspci -F " + file + " 2>/dev/null").value_or("");
  EXPECT_EQ(std::count(list.begin(), list.end(), '\n'), 11);
  const std::string tree = run("lspci -F " + file + " -t 2>/dev/null").value_or("");
  expect_contains(tree, "[0000:0c]-+-00.0-[0d-12]----00.0-[0e-12]--+-00.0-[0f]----00.0");
  expect_contains(tree, "\\-03.0-[12]--");   // the empty downstream port
  expect_contains(tree, "\\-01.0-[13]----00.0");
}

TEST_F(LspciDecode, DumpBackendReadsTheTextBackByteForByte) {
  std::vector<std::vector<std::uint8_t>> captured;
  std::string text;
  const std::vector<PciFunctionInfo> ours = platform->enumerate().value();
  for (const PciFunctionInfo& f : ours) {
    captured.push_back(platform->read_config(f.address).value());
    text += format_lspci_function(f.address, captured.back());
  }
  PlatformSource options;
  options.backend = "dump";
  options.dump_file = write(text);
  Result<std::unique_ptr<Platform>> dump = open_platform(options);
  ASSERT_TRUE(dump) << dump.error().message();
  Result<std::vector<PciFunctionInfo>> theirs = (*dump)->enumerate();
  ASSERT_TRUE(theirs) << theirs.error().message();
  ASSERT_EQ(theirs->size(), ours.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    SCOPED_TRACE(ours[i].address.to_string());
    EXPECT_EQ((*theirs)[i].address, ours[i].address);
    EXPECT_EQ((*theirs)[i].vendor_id, ours[i].vendor_id);
    EXPECT_EQ((*theirs)[i].device_id, ours[i].device_id);
    EXPECT_EQ((*theirs)[i].class_code, ours[i].class_code);
    EXPECT_EQ((*theirs)[i].header_type, ours[i].header_type);
    EXPECT_EQ((*dump)->read_config(ours[i].address).value(), captured[i]);
  }
}

}  // namespace
}  // namespace cpmu::sim
