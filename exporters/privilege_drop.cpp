#include "privilege_drop.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace cpmu::exporter {

Status drop_privileges(const std::string& user) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  uid_t numeric = 0;
  const auto [end, ec] = std::from_chars(user.data(), user.data() + user.size(), numeric);
  const bool is_number = ec == std::errc() && end == user.data() + user.size();
  const int rc = is_number ? getpwuid_r(numeric, &entry, buffer.data(), buffer.size(), &found)
                           : getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (rc != 0 || !found) return Error(Errc::kNotFound, fmt::format("--user {}: no such user", user));
  const uid_t uid = found->pw_uid;
  const gid_t gid = found->pw_gid;
  if (uid == 0) return Error(Errc::kInvalidArgument, fmt::format("--user {}: is root", user));
  if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
    return Error(Errc::kPermissionDenied,
                 fmt::format("--user {}: cannot switch to uid {} gid {}: {}", user, uid, gid, std::strerror(errno)));
  }
  if (::setuid(0) == 0 || ::geteuid() == 0 || ::getegid() != gid) {
    return Error(Errc::kPermissionDenied, fmt::format("--user {}: root could be regained after the switch", user));
  }
  return {};
}

}  // namespace cpmu::exporter
