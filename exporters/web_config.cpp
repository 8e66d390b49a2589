#include "web_config.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <yaml-cpp/yaml.h>

#include "config_file.hpp"

namespace cpmu::exporter {

namespace {

Error at(std::string_view name, const YAML::Node& node, const std::string& what) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return Error(Errc::kInvalidArgument, fmt::format("{}: {}", name, what));
  return Error(Errc::kInvalidArgument, fmt::format("{}:{}:{}: {}", name, mark.line + 1, mark.column + 1, what));
}

Result<std::string> scalar(std::string_view name, const YAML::Node& node, std::string_view key) {
  if (!node.IsScalar()) return at(name, node, fmt::format("'{}' must be a string", key));
  return node.as<std::string>();
}

Result<int> tls_version(std::string_view name, const YAML::Node& node, std::string_view key) {
  auto text = scalar(name, node, key);
  if (!text) return text.error();
  static const std::map<std::string, int, std::less<>> kVersions = {
      {"TLS10", TLS1_VERSION}, {"TLS11", TLS1_1_VERSION}, {"TLS12", TLS1_2_VERSION}, {"TLS13", TLS1_3_VERSION}};
  const auto it = kVersions.find(*text);
  if (it == kVersions.end())
    return at(name, node, fmt::format("{}: '{}' is not TLS10, TLS11, TLS12 or TLS13", key, *text));
  return it->second;
}

Result<TlsConfig> parse_tls(std::string_view name, const YAML::Node& node) {
  if (!node.IsMap()) return at(name, node, "'tls_server_config' must be a mapping");
  TlsConfig tls;
  tls.min_version = TLS1_2_VERSION;
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "cert_file" || key == "key_file" || key == "client_ca_file") {
      auto text = scalar(name, value, key);
      if (!text) return text.error();
      (key == "cert_file" ? tls.cert_file : key == "key_file" ? tls.key_file : tls.client_ca_file) = *text;
    } else if (key == "client_auth_type") {
      auto text = scalar(name, value, key);
      if (!text) return text.error();
      static const std::map<std::string, ClientAuth, std::less<>> kTypes = {
          {"NoClientCert", ClientAuth::kNone},
          {"RequestClientCert", ClientAuth::kRequest},
          {"RequireAnyClientCert", ClientAuth::kRequireAny},
          {"VerifyClientCertIfGiven", ClientAuth::kVerifyIfGiven},
          {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerify}};
      const auto it = kTypes.find(*text);
      if (it == kTypes.end()) return at(name, value, fmt::format("client_auth_type: unknown value '{}'", *text));
      tls.client_auth = it->second;
    } else if (key == "min_version" || key == "max_version") {
      auto version = tls_version(name, value, key);
      if (!version) return version.error();
      (key == "min_version" ? tls.min_version : tls.max_version) = *version;
    } else {
      return at(name, entry.first, fmt::format("tls_server_config: '{}' is not supported by cpmu-exporter", key));
    }
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return at(name, node, "tls_server_config needs both cert_file and key_file");
  }
  if (tls.cert_file.empty()) return at(name, node, "tls_server_config without cert_file and key_file");
  const bool verifies =
      tls.client_auth == ClientAuth::kVerifyIfGiven || tls.client_auth == ClientAuth::kRequireAndVerify;
  if (verifies && tls.client_ca_file.empty()) {
    return at(name, node, "client_auth_type verifies client certificates but there is no client_ca_file");
  }
  if (tls.max_version != 0 && tls.max_version < tls.min_version) {
    return at(name, node, "max_version is below min_version");
  }
  return tls;
}

Result<WebConfig> parse_root(const YAML::Node& root, std::string_view name) {
  WebConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap())
    return at(name, root, "expected a mapping (tls_server_config, http_server_config, basic_auth_users)");
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "tls_server_config") {
      auto tls = parse_tls(name, value);
      if (!tls) return tls.error();
      config.tls = std::move(*tls);
    } else if (key == "http_server_config") {
      if (!value.IsMap()) return at(name, value, "'http_server_config' must be a mapping");
      for (const auto& http : value) {
        const std::string http_key = http.first.as<std::string>();
        if (http_key != "headers") {
          return at(name, http.first,
                    fmt::format("http_server_config: '{}' is not supported by cpmu-exporter", http_key));
        }
        if (!http.second.IsMap()) return at(name, http.second, "'headers' must map header names to values");
        for (const auto& header : http.second) {
          auto text = scalar(name, header.second, header.first.as<std::string>());
          if (!text) return text.error();
          config.headers.emplace_back(header.first.as<std::string>(), *text);
        }
      }
    } else if (key == "basic_auth_users") {
      if (!value.IsMap()) return at(name, value, "'basic_auth_users' must map user names to bcrypt hashes");
      for (const auto& user : value) {
        const std::string user_name = user.first.as<std::string>();
        auto hash = scalar(name, user.second, user_name);
        if (!hash) return hash.error();
        if (!hash->starts_with("$2y$") && !hash->starts_with("$2b$") && !hash->starts_with("$2a$")) {
          return at(name, user.second, fmt::format("basic_auth_users: '{}': not a bcrypt hash ($2y$...)", user_name));
        }
        config.basic_auth_users[user_name] = *hash;
      }
    } else {
      return at(name, entry.first,
                fmt::format("unknown key '{}' (tls_server_config, http_server_config, basic_auth_users)", key));
    }
  }
  return config;
}

}  // namespace

Result<WebConfig> parse_web_config(std::string_view text, std::string_view name) {
  // yaml-cpp reports problems by exception; none leaves this function.
  try {
    return parse_root(YAML::Load(std::string(text)), name);
  } catch (const YAML::Exception& e) {
    return Error(Errc::kMalformed, fmt::format("{}:{}:{}: {}", name, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

Result<WebConfig> load_web_config(const std::string& path) {
  auto text = read_config_file(path, "the web configuration");
  if (!text) return text.error();
  return parse_web_config(*text, path);
}

}  // namespace cpmu::exporter
