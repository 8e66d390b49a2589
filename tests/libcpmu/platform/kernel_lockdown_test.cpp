#include "platform/kernel_lockdown.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "temp_dir.hpp"

namespace cpmu::detail {
namespace {

TEST(KernelLockdown, ParsesTheBracketedMode) {
  EXPECT_EQ(parse_lockdown("[none] integrity confidentiality\n"), LockdownState::kNone);
  EXPECT_EQ(parse_lockdown("none [integrity] confidentiality\n"), LockdownState::kIntegrity);
  EXPECT_EQ(parse_lockdown("none integrity [confidentiality]\n"), LockdownState::kConfidentiality);
  EXPECT_EQ(parse_lockdown("none integrity confidentiality\n"), LockdownState::kUnknown);
  EXPECT_EQ(parse_lockdown("[bogus]"), LockdownState::kUnknown);
  EXPECT_EQ(parse_lockdown(""), LockdownState::kUnknown);
}

TEST(KernelLockdown, MissingFileIsUnknown) {
  EXPECT_EQ(read_lockdown("/nonexistent/lockdown"), LockdownState::kUnknown);
  testing::TempDir dir;
  testing::write_file(dir / "lockdown", "none [integrity] confidentiality\n");
  EXPECT_EQ(read_lockdown((dir / "lockdown").string()), LockdownState::kIntegrity);
}

TEST(KernelLockdown, EpermUnderLockdownIsLockedDownNamingTheMode) {
  const Error error = refused_access_error(EPERM, "writing config space of 0000:0d:00.0", LockdownState::kIntegrity);
  EXPECT_EQ(error.code(), Errc::kLockedDown);
  EXPECT_NE(error.message().find("writing config space of 0000:0d:00.0"), std::string::npos);
  EXPECT_NE(error.message().find("lockdown (integrity"), std::string::npos) << error.message();
}

TEST(KernelLockdown, EaccesUnderLockdownIsPermissionDeniedMentioningLockdown) {
  const Error error = refused_access_error(EACCES, "writing x", LockdownState::kConfidentiality);
  EXPECT_EQ(error.code(), Errc::kPermissionDenied);
  EXPECT_NE(error.message().find("root"), std::string::npos);
  EXPECT_NE(error.message().find("lockdown"), std::string::npos);
}

TEST(KernelLockdown, EpermWithUnknownLockdownSuspectsItButSaysItCannotConfirm) {
  const Error error = refused_access_error(EPERM, "writing x", LockdownState::kUnknown);
  EXPECT_EQ(error.code(), Errc::kPermissionDenied);
  EXPECT_NE(error.message().find("lockdown"), std::string::npos);
  EXPECT_NE(error.message().find(kLockdownFile), std::string::npos);
}

TEST(KernelLockdown, RefusalWithoutLockdownIsPlainPermissionDenied) {
  for (int err : {EPERM, EACCES}) {
    const Error error = refused_access_error(err, "writing x", LockdownState::kNone);
    EXPECT_EQ(error.code(), Errc::kPermissionDenied);
    EXPECT_NE(error.message().find("CAP_SYS_ADMIN"), std::string::npos);
    EXPECT_EQ(error.message().find("lockdown"), std::string::npos) << error.message();
  }
}

}  // namespace
}  // namespace cpmu::detail
