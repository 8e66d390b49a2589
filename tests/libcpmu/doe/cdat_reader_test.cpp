// THEORY OF OPERATION: CDAT is read over cxlsim's DOE model (tables built by
// cxlsim, and QEMU's own tables served by the model), from a fake kernel
// sysfs tree in a temporary directory, and the kernel-ownership rule is
// checked against a fake /sys/module.
#include "cpmu/cdat.hpp"
#include "cpmu/cdat_context.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cxlsim/cdat_builder.hpp"
#include "doe_test_support.hpp"

namespace cpmu {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using test::DoeModelPlatform;
using test::kDoeFunction;
using test::kDoeOffset;
using test::VirtualClock;

const sim::MemoryRangePerf kRange{0, 256ull << 20, true, 150'000, 250'000, 16'000, 16'000};

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// Splits a whole table into DOE entries: the header, then one structure each.
sim::CdatEntries as_entries(const Bytes& table) {
  sim::CdatEntries t;
  t.entries.emplace_back(table.begin(), table.begin() + 16);
  for (std::size_t at = 16; at < table.size();) {
    const std::size_t length = table[at + 2] | (table[at + 3] << 8);
    t.entries.emplace_back(table.begin() + static_cast<long>(at), table.begin() + static_cast<long>(at + length));
    at += length;
  }
  return t;
}

DoeMailboxOptions virtual_time() { return DoeMailboxOptions{{}, std::make_shared<VirtualClock>()}; }

struct TempDir {
  TempDir() {
    path = fs::temp_directory_path() / ("cpmu-cdat-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static inline int counter = 0;
  fs::path path;
};

void write_file(const fs::path& path, const Bytes& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST(CdatOverDoe, ReadsTheSimulatorsEndpointTableByteForByte) {
  auto built = sim::build_endpoint_cdat({kRange});
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  DoeModelPlatform platform(model);
  DoeMailbox mailbox(platform, kDoeFunction, kDoeOffset, virtual_time());
  auto bytes = read_cdat_over_doe(mailbox);
  ASSERT_TRUE(bytes) << bytes.error().message();
  EXPECT_EQ(*bytes, built->bytes());
  EXPECT_EQ(model.exchanges(), built->entries.size());
}

TEST(CdatOverDoe, ReadsQemusSwitchTableServedByTheModel) {
  const Bytes qemu =
      read_file(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/switch/cxl-upstream_0d-00.0.cdat-doe.bin");
  sim::DoeModel model(sim::DoeSpec{false, 0, as_entries(qemu)});
  DoeModelPlatform platform(model);
  DoeMailbox mailbox(platform, kDoeFunction, kDoeOffset, virtual_time());
  auto bytes = read_cdat_over_doe(mailbox);
  ASSERT_TRUE(bytes) << bytes.error().message();
  EXPECT_EQ(*bytes, qemu);
  auto table = parse_cdat(*bytes);
  ASSERT_TRUE(table);
  EXPECT_EQ(table->sslbis.size(), 2u);
}

TEST(CdatOverDoe, StructureShorterThanItsLengthFieldIsCaughtPerEntry) {
  auto built = sim::build_endpoint_cdat({kRange}, sim::CdatFault::kTruncatedStructure);
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  DoeModelPlatform platform(model);
  DoeMailbox mailbox(platform, kDoeFunction, kDoeOffset, virtual_time());
  auto bytes = read_cdat_over_doe(mailbox);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().code(), Errc::kMalformed);
  EXPECT_EQ(bytes.error().message(), "0000:0d:00.0 DOE@0x190: CDAT entry handle 1: the response carries 20 bytes, "
                                     "but the structure's length field says 24");
}

TEST(CdatOverDoe, OversizedResponsesAreRejectedNotMisread) {
  auto built = sim::build_endpoint_cdat({kRange});
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  model.inject(sim::DoeFault::kOversizedResponse);
  DoeModelPlatform platform(model);
  DoeMailbox mailbox(platform, kDoeFunction, kDoeOffset, virtual_time());
  auto bytes = read_cdat_over_doe(mailbox);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().message(), "0000:0d:00.0 DOE@0x190: CDAT entry handle 0: the header element is 20 bytes, "
                                     "expected 16");
}

TEST(CdatOverDoe, StopsAtTheEntryBound) {
  auto built = sim::build_endpoint_cdat({kRange});
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  DoeModelPlatform platform(model);
  DoeMailbox mailbox(platform, kDoeFunction, kDoeOffset, virtual_time());
  auto bytes = read_cdat_over_doe(mailbox, CdatReadLimits{3, 1u << 20});
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().message(), "0000:0d:00.0 DOE@0x190: CDAT has more than 3 entries; giving up");
  EXPECT_EQ(model.exchanges(), 3u);
}

TEST(CdatOverDoe, StopsAtTheByteBound) {
  auto built = sim::build_endpoint_cdat({kRange});
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  DoeModelPlatform platform(model);
  DoeMailbox mailbox(platform, kDoeFunction, kDoeOffset, virtual_time());
  auto bytes = read_cdat_over_doe(mailbox, CdatReadLimits{4096, 100});
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().message(), "0000:0d:00.0 DOE@0x190: CDAT grows past 100 bytes; giving up");
}

TEST(CdatOverDoe, ErrorsOfTheMailboxPassThrough) {
  auto built = sim::build_endpoint_cdat({kRange});
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  model.inject(sim::DoeFault::kNoResponse);
  DoeModelPlatform platform(model);
  DoeMailbox mailbox(platform, kDoeFunction, kDoeOffset, virtual_time());
  auto bytes = read_cdat_over_doe(mailbox);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().code(), Errc::kTimeout);
}

TEST(ReadFunctionCdat, PrefersTheKernelsCopy) {
  TempDir dir;
  const Bytes kernel = read_file(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/switch/endpoint3.CDAT.bin");
  write_file(dir.path / "devices/endpoint3/CDAT", kernel);
  sim::DoeModel model(sim::DoeSpec{});
  DoeModelPlatform platform(model);
  CdatReadOptions options;
  options.cxl_root = dir.path.string();
  options.mailbox = virtual_time();
  PciFunctionInfo info;
  info.address = kDoeFunction;
  const unsigned offsets[] = {kDoeOffset};
  auto raw = read_function_cdat(platform, info, offsets, "endpoint3", options);
  ASSERT_TRUE(raw) << raw.error().message();
  EXPECT_EQ(raw->bytes, kernel);
  EXPECT_EQ(raw->source, (dir.path / "devices/endpoint3/CDAT").string());
  EXPECT_EQ(platform.accesses(), 0u);
}

TEST(ReadFunctionCdat, FallsBackToDoeWhenTheKernelsCopyIsEmpty) {
  TempDir dir;
  write_file(dir.path / "devices/endpoint3/CDAT", {});
  auto built = sim::build_endpoint_cdat({kRange});
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  DoeModelPlatform platform(model);
  CdatReadOptions options;
  options.cxl_root = dir.path.string();
  options.mailbox = virtual_time();
  PciFunctionInfo info;
  info.address = kDoeFunction;
  const unsigned offsets[] = {kDoeOffset};
  auto raw = read_function_cdat(platform, info, offsets, "endpoint3", options);
  ASSERT_TRUE(raw) << raw.error().message();
  EXPECT_EQ(raw->bytes, built->bytes());
  EXPECT_EQ(raw->source, "DOE@0x190");
}

TEST(ReadFunctionCdat, NoMailboxWithTableAccessIsNotFound) {
  sim::DoeModel model(sim::DoeSpec{});
  DoeModelPlatform platform(model);
  CdatReadOptions options;
  options.mailbox = virtual_time();
  PciFunctionInfo info;
  info.address = kDoeFunction;
  const unsigned offsets[] = {kDoeOffset};
  auto raw = read_function_cdat(platform, info, offsets, "", options);
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().code(), Errc::kNotFound);
  auto none = read_function_cdat(platform, info, {}, "", options);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), Errc::kNotFound);
}

TEST(ReadFunctionCdat, LeavesAKernelOwnedMailboxAloneUnlessForced) {
  TempDir dir;
  fs::create_directories(dir.path / "module/cxl_core");
  auto built = sim::build_endpoint_cdat({kRange});
  ASSERT_TRUE(built);
  sim::DoeModel model(sim::DoeSpec{false, 0, *built});
  DoeModelPlatform platform(model, "linux");
  CdatReadOptions options;
  options.cxl_root = (dir.path / "no-cxl").string();
  options.access.module_root = (dir.path / "module").string();
  options.mailbox = virtual_time();
  PciFunctionInfo info;
  info.address = kDoeFunction;
  info.driver = "cxl_pci";
  const unsigned offsets[] = {kDoeOffset};
  auto refused = read_function_cdat(platform, info, offsets, "", options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), Errc::kOwnedByDriver);
  EXPECT_EQ(platform.accesses(), 0u);
  options.access.force = true;
  auto forced = read_function_cdat(platform, info, offsets, "", options);
  ASSERT_TRUE(forced) << forced.error().message();
  EXPECT_EQ(forced->bytes, built->bytes());
}

TEST(DoeAccess, KernelOwnershipNeedsALinuxBackendACxlDriverAndTheCxlCore) {
  TempDir dir;
  fs::create_directories(dir.path / "cxl_core");
  sim::DoeModel model(sim::DoeSpec{});
  DoeModelPlatform linux_platform(model, "linux");
  DoeModelPlatform sim_platform(model, "sim");
  DoeAccessPolicy policy;
  policy.module_root = dir.path.string();
  PciFunctionInfo info;
  info.address = kDoeFunction;
  for (const char* driver : {"cxl_pci", "cxl_port", "pcieport"}) {
    info.driver = driver;
    auto refused = check_doe_access(linux_platform, info, policy);
    ASSERT_FALSE(refused) << driver;
    EXPECT_EQ(refused.error().code(), Errc::kOwnedByDriver);
    EXPECT_NE(refused.error().message().find(std::string("driver ") + driver), std::string::npos);
    EXPECT_TRUE(check_doe_access(sim_platform, info, policy)) << driver;
  }
  info.driver = "";
  EXPECT_TRUE(check_doe_access(linux_platform, info, policy));
  info.driver = "vfio-pci";
  EXPECT_TRUE(check_doe_access(linux_platform, info, policy));
  info.driver = "cxl_pci";
  policy.force = true;
  EXPECT_TRUE(check_doe_access(linux_platform, info, policy));
  policy.force = false;
  policy.module_root = (dir.path / "elsewhere").string();
  EXPECT_TRUE(check_doe_access(linux_platform, info, policy));
}

TEST(KernelDoeFeatures, ListsDiscoveryAndEachVendorTypeFileAndIgnoresTheRest) {
  TempDir dir;
  for (const char* name : {"doe_discovery", "1e98:02", "0001:01", "README", "1e98:2", "zzzz:01"}) {
    write_file(dir.path / "doe_features" / name, {});
  }
  auto protocols = read_kernel_doe_features(dir.path.string());
  ASSERT_TRUE(protocols);
  EXPECT_EQ(*protocols, (std::vector<DoeProtocol>{{0x0001, 0}, {0x0001, 1}, {0x1e98, 2}}));
}

TEST(KernelDoeFeatures, AbsentDirectoryMeansTheKernelSaysNothing) {
  TempDir dir;
  EXPECT_EQ(read_kernel_doe_features(dir.path.string()), std::nullopt);
  EXPECT_EQ(read_kernel_doe_features(""), std::nullopt);
}

}  // namespace
}  // namespace cpmu
