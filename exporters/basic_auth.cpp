#include "basic_auth.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>
#include <optional>

namespace cpmu::exporter {

namespace {

constexpr std::size_t kMaxCredentialBytes = 1024;

std::optional<std::string> base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = in[i + j];
      if (c == '=' && i + 4 == in.size() && j >= 2) {
        v[j] = 0;
        ++pad;
      } else if (pad > 0 || (v[j] = value(c)) < 0) {
        return std::nullopt;
      }
    }
    const unsigned bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((bits >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((bits >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(bits & 0xff);
  }
  return out;
}

}  // namespace

bool basic_auth_allows(const std::map<std::string, std::string>& users, std::string_view authorization) {
  constexpr std::string_view kScheme = "Basic ";
  if (authorization.size() > kMaxCredentialBytes || !authorization.starts_with(kScheme)) return false;
  const auto decoded = base64_decode(authorization.substr(kScheme.size()));
  if (!decoded) return false;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  const auto user = users.find(decoded->substr(0, colon));
  if (user == users.end()) return false;
  const std::string password = decoded->substr(colon + 1);
  // crypt_data is large (tens of KiB): on the heap, one per check, so
  // concurrent requests never share one.
  auto data = std::make_unique<crypt_data>();
  const char* hashed = crypt_rn(password.c_str(), user->second.c_str(), data.get(), sizeof(crypt_data));
  if (!hashed) return false;
  const std::string_view result(hashed);
  return result.size() == user->second.size() && CRYPTO_memcmp(result.data(), user->second.data(), result.size()) == 0;
}

}  // namespace cpmu::exporter
