// --web.config.file: the Prometheus exporter-toolkit's web configuration
// (YAML), so one file serves node_exporter and cpmu-exporter alike:
//
//   tls_server_config:
//     cert_file: server.crt          # both or neither
//     key_file: server.key
//     client_auth_type: RequireAndVerifyClientCert   # or NoClientCert (default),
//                                    # RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven
//     client_ca_file: ca.crt
//     min_version: TLS12             # TLS10 .. TLS13, default TLS12
//     max_version: TLS13
//   http_server_config:
//     headers: {Strict-Transport-Security: max-age=31536000}
//   basic_auth_users:
//     prometheus: $2y$10$...         # bcrypt (htpasswd -nBC 10 USER)
//
// Read once at start-up. Keys the toolkit has but cpmu-exporter does not
// implement (cipher_suites, curve_preferences, client_allowed_sans, http2,
// rate_limit, ...) are errors rather than silently ignored.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cpmu/result.hpp"

namespace cpmu::exporter {

enum class ClientAuth { kNone, kRequest, kRequireAny, kVerifyIfGiven, kRequireAndVerify };

struct TlsConfig {
  std::string cert_file, key_file;
  ClientAuth client_auth = ClientAuth::kNone;
  std::string client_ca_file;
  int min_version = 0;  // OpenSSL's TLS1_2_VERSION style constants
  int max_version = 0;  // 0: the highest OpenSSL supports
};

struct WebConfig {
  std::optional<TlsConfig> tls;
  std::vector<std::pair<std::string, std::string>> headers;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

Result<WebConfig> parse_web_config(std::string_view text, std::string_view name);
Result<WebConfig> load_web_config(const std::string& path);

}  // namespace cpmu::exporter
