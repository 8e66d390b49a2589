#include "remote_feed.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cpmu/json.hpp"

namespace cpmu::top {

namespace {

// A feed document is one snapshot line; anything much bigger is not one.
constexpr std::size_t kMaxBody = 64u << 20;

}  // namespace

Result<std::unique_ptr<RemoteFeed>> RemoteFeed::open(const std::string& url, std::chrono::milliseconds interval,
                                                     const std::string& ca_file) {
  const bool tls = url.rfind("https://", 0) == 0;
  if (!tls && url.rfind("http://", 0) != 0) {
    return Error(Errc::kInvalidArgument, fmt::format("--connect '{}': expected an http:// or https:// URL", url));
  }
  const std::size_t host_at = url.find("://") + 3;
  std::size_t path_at = url.find('/', host_at);
  if (path_at == std::string::npos) path_at = url.size();
  std::string authority = url.substr(host_at, path_at - host_at);
  std::string user, password;
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    const std::string credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = credentials.find(':');
    user = credentials.substr(0, colon);
    password = colon == std::string::npos ? "" : credentials.substr(colon + 1);
  }
  if (authority.empty()) return Error(Errc::kInvalidArgument, fmt::format("--connect '{}': no host", url));
  std::unique_ptr<RemoteFeed> feed(new RemoteFeed());
  feed->url_ = url;
  std::string base = url.substr(path_at);
  while (!base.empty() && base.back() == '/') base.pop_back();
  feed->path_ = base + "/json";
  feed->client_ = std::make_unique<httplib::Client>((tls ? "https://" : "http://") + authority);
  feed->client_->set_connection_timeout(std::chrono::seconds(2));
  feed->client_->set_read_timeout(std::chrono::seconds(5));
  if (!user.empty()) feed->client_->set_basic_auth(user, password);
  if (!ca_file.empty()) {
    if (!tls)
      return Error(Errc::kInvalidArgument, fmt::format("--cacert {}: --connect '{}' is not https", ca_file, url));
    if (::access(ca_file.c_str(), R_OK) != 0) {
      return Error(Errc::kNotFound, fmt::format("--cacert {}: {}", ca_file, std::strerror(errno)));
    }
    feed->client_->set_ca_cert_path(ca_file);
  }
  feed->client_->enable_server_certificate_verification(true);
  feed->interval_ = interval;
  return feed;
}

RemoteFeed::~RemoteFeed() = default;

int RemoteFeed::wait_ms() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due_ - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1000));
}

Result<std::shared_ptr<const Snapshot>> RemoteFeed::fetch() {
  std::string body;
  bool too_big = false;
  auto response = client_->Get(path_.c_str(), [&](const char* data, std::size_t length) {
    if (body.size() + length > kMaxBody) return !(too_big = true);
    body.append(data, length);
    return true;
  });
  if (too_big)
    return Error(Errc::kMalformed, fmt::format("{}{}: the answer is over {} bytes", url_, "/json", kMaxBody));
  if (!response && response.error() == httplib::Error::SSLServerVerification) {
    return Error(Errc::kPermissionDenied,
                 fmt::format("--connect {}: the exporter's TLS certificate is not trusted (give the CA that signed "
                             "it with --cacert FILE)",
                             url_));
  }
  if (!response) {
    return Error(Errc::kNotFound, fmt::format("--connect {}: nothing answers ({}); is cpmu-exporter running there?",
                                              url_, httplib::to_string(response.error())));
  }
  if (response->status == 401) {
    return Error(
        Errc::kPermissionDenied,
        fmt::format("--connect {}: the exporter wants a user and password (http://USER:PASSWORD@HOST:PORT)", url_));
  }
  if (response->status != 200) {
    return Error(Errc::kIo, fmt::format("--connect {}: GET {} answered HTTP {}", url_, path_, response->status));
  }
  auto snapshot = json::decode_snapshot(body);
  if (!snapshot) return Error(Errc::kMalformed, fmt::format("--connect {}: {}", url_, snapshot.error().message()));
  return std::make_shared<const Snapshot>(std::move(*snapshot));
}

Result<std::shared_ptr<const Snapshot>> RemoteFeed::next() {
  if (Clock::now() < due_) return std::shared_ptr<const Snapshot>();
  due_ = Clock::now() + interval_;
  auto snapshot = fetch();
  if (!snapshot) return snapshot.error();
  // The exporter samples on its own clock: a snapshot already shown is no news.
  if ((*snapshot)->sequence == last_sequence_) return std::shared_ptr<const Snapshot>();
  last_sequence_ = (*snapshot)->sequence;
  history_.add(**snapshot);
  return snapshot;
}

}  // namespace cpmu::top
