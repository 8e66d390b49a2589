#include "platform/bar_mapping.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>

#include "temp_dir.hpp"

namespace cpmu::detail {
namespace {

using testing::TempDir;

// Two pages of known bytes standing in for a BAR.
class BarFile : public ::testing::Test {
 protected:
  void SetUp() override {
    page_ = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    bytes_.resize(2 * page_);
    for (std::size_t i = 0; i < bytes_.size(); ++i) bytes_[i] = static_cast<std::uint8_t>(i ^ (i >> 8));
    file_ = ResourceFile{(dir_ / "resource0").string(), "BAR0 of 0000:0d:00.0", ""};
    testing::write_file(file_.path, bytes_);
  }

  std::uint32_t le32(std::uint64_t at) const {
    return bytes_[at] | bytes_[at + 1] << 8 | bytes_[at + 2] << 16 | static_cast<std::uint32_t>(bytes_[at + 3]) << 24;
  }
  std::uint64_t le64(std::uint64_t at) const { return le32(at) | static_cast<std::uint64_t>(le32(at + 4)) << 32; }

  TempDir dir_;
  std::uint64_t page_ = 0;
  std::vector<std::uint8_t> bytes_;
  ResourceFile file_;
};

TEST_F(BarFile, ReadsTheFileThroughTheMapping) {
  auto mmio = BarMapping::map(file_, 0, bytes_.size());
  ASSERT_TRUE(mmio) << mmio.error().message();
  EXPECT_EQ((*mmio)->size(), bytes_.size());
  EXPECT_EQ((*mmio)->read32(0), le32(0));
  EXPECT_EQ((*mmio)->read32(page_ + 0x44), le32(page_ + 0x44));
  EXPECT_EQ((*mmio)->read64(bytes_.size() - 8), le64(bytes_.size() - 8));
}

TEST_F(BarFile, WindowAtAnUnalignedOffsetStartsAtThatOffset) {
  const std::uint64_t offset = page_ + 0x10;
  auto mmio = BarMapping::map(file_, offset, 0x20);
  ASSERT_TRUE(mmio) << mmio.error().message();
  EXPECT_EQ((*mmio)->read32(0), le32(offset));
  EXPECT_EQ((*mmio)->read64(0x18), le64(offset + 0x18));
}

TEST_F(BarFile, WritesLandInTheFile) {
  {
    auto mmio = BarMapping::map(file_, 0x100, 0x100);
    ASSERT_TRUE(mmio) << mmio.error().message();
    (*mmio)->write32(0x4, 0xdeadbeef);
    (*mmio)->write64(0x8, 0x0102030405060708);
  }
  const auto after = testing::read_binary(file_.path);
  EXPECT_EQ(after[0x104], 0xef);
  EXPECT_EQ(after[0x107], 0xde);
  EXPECT_EQ(after[0x108], 0x08);
  EXPECT_EQ(after[0x10f], 0x01);
  EXPECT_EQ(after[0x110], bytes_[0x110]);
}

TEST_F(BarFile, AccessOutsideTheWindowOrUnalignedReadsOnesAndWritesNothing) {
  auto mmio = BarMapping::map(file_, 0, 0x10);
  ASSERT_TRUE(mmio) << mmio.error().message();
  EXPECT_EQ((*mmio)->read32(0x10), 0xffffffffu);
  EXPECT_EQ((*mmio)->read32(0x2), 0xffffffffu);
  EXPECT_EQ((*mmio)->read64(0xc), ~std::uint64_t{0});
  EXPECT_EQ((*mmio)->read64(0x10), ~std::uint64_t{0});
  (*mmio)->write32(0x10, 0);
  (*mmio)->write64(0x4, 0);
  mmio->reset();
  EXPECT_EQ(testing::read_binary(file_.path), bytes_);
}

TEST_F(BarFile, WindowPastTheBarIsInvalidArgument) {
  for (auto [offset, size] : {std::pair<std::uint64_t, std::uint64_t>{0, 2 * page_ + 4},
                              {2 * page_ - 4, 8},
                              {2 * page_ + 4, 4},
                              {0, 0},
                              {8, ~std::uint64_t{0}}}) {
    auto mmio = BarMapping::map(file_, offset, size);
    ASSERT_FALSE(mmio) << offset << "+" << size;
    EXPECT_EQ(mmio.error().code(), Errc::kInvalidArgument);
    EXPECT_NE(mmio.error().message().find("BAR0 of 0000:0d:00.0"), std::string::npos) << mmio.error().message();
  }
}

TEST_F(BarFile, MissingFileIsNotFoundNamingIt) {
  file_.path = (dir_ / "resource3").string();
  auto mmio = BarMapping::map(file_, 0, 4);
  ASSERT_FALSE(mmio);
  EXPECT_EQ(mmio.error().code(), Errc::kNotFound);
  EXPECT_NE(mmio.error().message().find(file_.path), std::string::npos);
}

TEST(MappingError, EinvalOnABarADriverClaimedNamesDriverAndRemedy) {
  const Error error = mapping_error(EINVAL, {"/sys/x/resource2", "BAR2 of 0000:0d:00.0", "cxl_pci"},
                                    LockdownState::kNone);
  EXPECT_EQ(error.code(), Errc::kOwnedByDriver);
  EXPECT_EQ(error.message(),
            "BAR2 of 0000:0d:00.0 is claimed by driver cxl_pci (CONFIG_IO_STRICT_DEVMEM); boot with "
            "iomem=relaxed or unbind the driver");
}

TEST(MappingError, EinvalWithoutADriverIsNotBlamedOnOne) {
  const Error error = mapping_error(EINVAL, {"/sys/x/resource1", "BAR1 of 0000:0d:00.0", ""}, LockdownState::kNone);
  EXPECT_EQ(error.code(), Errc::kUnsupported);
  EXPECT_EQ(error.message().find("driver"), std::string::npos) << error.message();
}

TEST(MappingError, EpermUnderLockdownIsLockedDown) {
  const Error error = mapping_error(EPERM, {"/sys/x/resource0", "BAR0 of 0000:0d:00.0", "cxl_pci"},
                                    LockdownState::kConfidentiality);
  EXPECT_EQ(error.code(), Errc::kLockedDown);
  EXPECT_NE(error.message().find("/sys/x/resource0"), std::string::npos);
}

}  // namespace
}  // namespace cpmu::detail
