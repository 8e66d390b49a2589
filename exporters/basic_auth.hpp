// HTTP basic authentication against exporter-toolkit bcrypt hashes, checked
// with libxcrypt's crypt_rn() (never a bcrypt of our own).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace cpmu::exporter {

// Whether an Authorization header ("Basic base64(user:password)") names a
// user of `users` with the right password. Malformed headers are refused.
bool basic_auth_allows(const std::map<std::string, std::string>& users, std::string_view authorization);

}  // namespace cpmu::exporter
