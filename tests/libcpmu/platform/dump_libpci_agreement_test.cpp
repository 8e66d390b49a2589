// The dump backend against an independent reader of the same files: libpci's
// own dump method, which lspci -F uses. On every QEMU dump in
// shared/qemu-cxl/dumps, on cut and multi-domain copies of one, and on the
// simulator's own dump, both must list the same functions with the same IDs,
// class, revision, header type and BARs, and hold the same config bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cpmu/lspci_text.hpp"
#include "cpmu/platform.hpp"
#include "cxlsim/sim_platform.hpp"
#include "expect_function_info.hpp"
#include "fake_sysfs.hpp"

// libpci's headers have no extern "C" of their own.
extern "C" {
#include <pci/pci.h>
}

namespace cpmu {
namespace {

namespace fs = std::filesystem;

struct Read {
  std::vector<PciFunctionInfo> functions;        // sorted by address
  std::vector<std::vector<std::uint8_t>> configs;   // of each function, as much as the file holds
};

void ignore_warning(char*, ...) {}

// libpci's view. Its default error handler exits the process, which is fine
// for a test over files it is known to read.
Read read_with_libpci(const fs::path& file) {
  pci_access* access = pci_alloc();
  access->warning = ignore_warning;   // "Invalid 64-bit address seen for BAR 5" and the like
  access->method = PCI_ACCESS_DUMP;
  pci_set_param(access, const_cast<char*>("dump.name"), const_cast<char*>(file.c_str()));
  pci_init(access);
  pci_scan_bus(access);
  std::vector<std::pair<PciFunctionInfo, std::vector<std::uint8_t>>> found;
  for (pci_dev* dev = access->devices; dev != nullptr; dev = dev->next) {
    pci_fill_info(dev, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_BASES);
    PciFunctionInfo info;
    info.address = PciAddress{static_cast<std::uint16_t>(dev->domain_16), dev->bus, dev->dev, dev->func};
    info.vendor_id = dev->vendor_id;
    info.device_id = dev->device_id;
    info.class_code = static_cast<std::uint32_t>(dev->device_class) << 8 | dev->prog_if;
    info.revision = dev->rev_id;
    info.header_type = pci_read_byte(dev, PCI_HEADER_TYPE) & 0x7f;
    const int bars = info.header_type == PCI_HEADER_TYPE_NORMAL   ? 6
                     : info.header_type == PCI_HEADER_TYPE_BRIDGE ? 2
                                                                  : 0;
    for (int i = 0; i < bars; ++i) {
      const pciaddr_t base = dev->base_addr[i];
      if (base == 0) continue;
      BarInfo bar;
      bar.index = static_cast<unsigned>(i);
      bar.io = (base & PCI_BASE_ADDRESS_SPACE) == PCI_BASE_ADDRESS_SPACE_IO;
      bar.is_64bit = !bar.io && (base & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64;
      bar.prefetchable = !bar.io && (base & PCI_BASE_ADDRESS_MEM_PREFETCH) != 0;
      bar.base = base & (bar.io ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK);
      info.bars.push_back(bar);
    }
    // libpci serves exactly the bytes the dump holds: the longest read that
    // succeeds is all of them.
    std::vector<std::uint8_t> config(4096);
    int held = 4096;
    while (held > 0 && !pci_read_block(dev, 0, config.data(), held)) --held;
    config.resize(static_cast<std::size_t>(held));
    found.emplace_back(std::move(info), std::move(config));
  }
  pci_cleanup(access);
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first.address < b.first.address; });
  Read read;
  for (auto& [info, config] : found) {
    read.functions.push_back(std::move(info));
    read.configs.push_back(std::move(config));
  }
  return read;
}

Read read_with_cpmu(const fs::path& file) {
  auto platform = open_platform(testing::dump_source(file.string()));
  EXPECT_TRUE(platform) << platform.error().message();
  if (!platform) return {};
  EXPECT_TRUE((*platform)->problems().empty());
  Read read;
  auto functions = (*platform)->enumerate();
  EXPECT_TRUE(functions) << functions.error().message();
  if (!functions) return {};
  read.functions = *functions;
  for (const PciFunctionInfo& function : read.functions) {
    auto config = (*platform)->read_config(function.address, /*allow_partial=*/true);
    EXPECT_TRUE(config) << config.error().message();
    read.configs.push_back(config ? *config : std::vector<std::uint8_t>{});
  }
  return read;
}

void expect_agreement(const fs::path& file) {
  SCOPED_TRACE(file.string());
  const Read ours = read_with_cpmu(file);
  const Read theirs = read_with_libpci(file);
  ASSERT_FALSE(theirs.functions.empty());
  ASSERT_EQ(ours.functions.size(), theirs.functions.size());
  for (std::size_t i = 0; i < theirs.functions.size(); ++i) {
    // A dump has no BAR sizes: ours are 0, whatever libpci reports.
    testing::expect_same_info(ours.functions[i], theirs.functions[i], testing::BarSizes::kIgnored);
    for (const BarInfo& bar : ours.functions[i].bars) EXPECT_EQ(bar.size, 0u);
    EXPECT_EQ(ours.configs[i], theirs.configs[i]);
  }
}

TEST(DumpLibpciAgreement, EveryQemuDump) {
  unsigned files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(testing::qemu_dumps())) {
    if (!entry.path().string().ends_with("lspci-xxxx.txt")) continue;
    expect_agreement(entry.path());
    ++files;
  }
  EXPECT_GE(files, 2u + 6u + 10u);   // both machines' dumps and each CXL function's own
}

// Rewritten copies of the switch dump: every function cut to its first 64 or
// 256 bytes (lspci -x, -xxx), and every function moved to domain 0x1a.
TEST(DumpLibpciAgreement, CutAndMultiDomainCopies) {
  const std::string source = testing::read_text(testing::qemu_dumps() / "switch" / "lspci-xxxx.txt");
  testing::TempDir dir;
  for (unsigned keep : {64u, 256u}) {
    std::istringstream in(source);
    std::string text, line;
    unsigned rows = 0;
    while (std::getline(in, line)) {
      const bool row = !line.empty() && line.find(": ") != std::string::npos && line.find(": ") <= 3 &&
                       line.find('.') == std::string::npos;
      rows = row ? rows + 1 : 0;
      if (!row || rows <= keep / 16) text += line + "\n";
    }
    testing::write_file(dir / "cut.txt", text);
    expect_agreement(dir / "cut.txt");
  }
  std::string moved;
  for (std::size_t at = 0; at < source.size();) {
    const std::size_t end = source.find('\n', at) + 1;
    const std::string line = source.substr(at, end - at);
    moved += (line.size() > 8 && line[2] == ':' && line[5] == '.' ? "001a:" : "") + line;
    at = end;
  }
  testing::write_file(dir / "domain.txt", moved);
  expect_agreement(dir / "domain.txt");
}

// BAR registers real dumps rarely show: I/O, prefetchable, above 4 GiB, flags
// without an address, all ones, a 64-bit BAR in the last slot; bridge and
// CardBus headers; a function that reads all ones.
TEST(DumpLibpciAgreement, UnusualBarRegisters) {
  auto header = [](std::uint8_t type, std::vector<std::uint32_t> bars) {
    std::vector<std::uint8_t> config(64, 0);
    const std::uint8_t ids[] = {0x86, 0x80, 0x34, 0x12, 0, 0, 0x10, 0, 0x05, 0x10, 0x02, 0x05};
    std::copy(std::begin(ids), std::end(ids), config.begin());
    config[0x0e] = type;
    for (std::size_t i = 0; i < bars.size(); ++i) {
      for (unsigned b = 0; b < 4; ++b) config[0x10 + 4 * i + b] = static_cast<std::uint8_t>(bars[i] >> (8 * b));
    }
    return config;
  };
  std::string text;
  text += format_lspci_function(PciAddress{0, 1, 0, 0},
                                header(0x80, {0xe001, 0xfe00000c, 0x1, 0xffffffff, 0x4, 0}));
  text += format_lspci_function(PciAddress{0, 1, 0, 1}, header(0, {0x8, 0, 0, 0, 0, 0xfe10000c}));
  text += format_lspci_function(PciAddress{0, 2, 0, 0}, header(1, {0xfe200000, 0xfe300004}));
  text += format_lspci_function(PciAddress{0, 3, 0, 0}, header(2, {0xfe400000}));
  text += format_lspci_function(PciAddress{0, 4, 0, 0}, std::vector<std::uint8_t>(64, 0xff));
  testing::TempDir dir;
  testing::write_file(dir / "bars.txt", text);
  expect_agreement(dir / "bars.txt");
}

TEST(DumpLibpciAgreement, TheSimulatorsOwnDump) {
  auto spec = sim::default_topology();
  ASSERT_TRUE(spec) << spec.error().message();
  auto platform = sim::open_sim_platform(*spec, sim::ClockMode::kVirtual);
  ASSERT_TRUE(platform) << platform.error().message();
  auto text = format_lspci_dump(**platform);
  ASSERT_TRUE(text) << text.error().message();
  testing::TempDir dir;
  testing::write_file(dir / "sim.txt", *text);
  expect_agreement(dir / "sim.txt");
}

}  // namespace
}  // namespace cpmu
