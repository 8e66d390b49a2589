#include "http_server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <charconv>

#include "basic_auth.hpp"
#include "collectors/collector.hpp"
#include "cpmu/json.hpp"
#include "exposition.hpp"
#include "gzip.hpp"
#include "health.hpp"

namespace cpmu::exporter {

struct HttpServer::State {
  std::unique_ptr<httplib::Server> server;
  const Collection* collection = nullptr;
  WebConfig web;
  ServerOptions options;
  int port = 0;
};

namespace {

Result<std::pair<std::string, int>> split_address(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("--web.listen-address '{}': expected HOST:PORT or :PORT", address));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  const std::string port_text = address.substr(colon + 1);
  int port = -1;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return Error(Errc::kInvalidArgument, fmt::format("--web.listen-address '{}': bad port '{}'", address, port_text));
  }
  return std::pair{host, port};
}

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Accepts any client certificate (RequestClientCert, RequireAnyClientCert):
// asked for, not verified.
int accept_any_certificate(int, X509_STORE_CTX*) { return 1; }

bool setup_tls(SSL_CTX& ctx, const TlsConfig& tls, std::string& error) {
  if (SSL_CTX_set_min_proto_version(&ctx, tls.min_version) != 1 ||
      (tls.max_version != 0 && SSL_CTX_set_max_proto_version(&ctx, tls.max_version) != 1)) {
    error = "cannot set the TLS versions: " + openssl_error();
    return false;
  }
  if (SSL_CTX_use_certificate_chain_file(&ctx, tls.cert_file.c_str()) != 1) {
    error = fmt::format("cert_file {}: {}", tls.cert_file, openssl_error());
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(&ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    error = fmt::format("key_file {}: {}", tls.key_file, openssl_error());
    return false;
  }
  if (!tls.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(&ctx, tls.client_ca_file.c_str(), nullptr) != 1) {
      error = fmt::format("client_ca_file {}: {}", tls.client_ca_file, openssl_error());
      return false;
    }
    SSL_CTX_set_client_CA_list(&ctx, SSL_load_client_CA_file(tls.client_ca_file.c_str()));
  }
  switch (tls.client_auth) {
    case ClientAuth::kNone: SSL_CTX_set_verify(&ctx, SSL_VERIFY_NONE, nullptr); break;
    case ClientAuth::kRequest: SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, accept_any_certificate); break;
    case ClientAuth::kRequireAny:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
      break;
    case ClientAuth::kVerifyIfGiven: SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr); break;
    case ClientAuth::kRequireAndVerify:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  return true;
}

constexpr std::string_view kIndex = R"(<!DOCTYPE html>
<html><head><title>cpmu-exporter</title></head>
<body><h1>cpmu-exporter</h1>
<p>CXL Performance Monitoring Unit counters for Prometheus.</p>
<ul>
<li><a href="metrics">/metrics</a>: Prometheus text format 0.0.4, or OpenMetrics 1.0.0 when asked for</li>
<li><a href="json">/json</a>: the latest snapshot in cpmu's JSON schema</li>
<li><a href="health">/health</a>: 200 while the counts are fresh, 503 and the reasons otherwise</li>
</ul>
<p>cpmu-exporter(8)</p>
</body></html>
)";

void serve_metrics(const HttpServer::State& state, const httplib::Request& req, httplib::Response& res) {
  const auto view = state.collection->view();
  const std::vector<MetricFamily> families = scrape(*view);
  const ExpositionFormat format = negotiate_format(req.get_header_value("Accept"));
  std::string body =
      format == ExpositionFormat::kOpenMetrics ? write_openmetrics(families) : write_prometheus_text(families);
  res.set_header("Vary", "Accept, Accept-Encoding");
  if (accepts_gzip(req.get_header_value("Accept-Encoding"))) {
    if (auto packed = gzip_compress(body)) {
      body = std::move(*packed);
      res.set_header("Content-Encoding", "gzip");
    }
  }
  // A sized content provider, because cpp-httplib compresses a text/* body
  // set with set_content() by itself (again, or with brotli): the encoding
  // stays the one chosen here.
  auto shared = std::make_shared<std::string>(std::move(body));
  res.set_content_provider(shared->size(), std::string(content_type(format)),
                           [shared](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             sink.write(shared->data() + offset, length);
                             return true;
                           });
}

void serve_json(const HttpServer::State& state, httplib::Response& res) {
  const auto view = state.collection->view();
  const auto snapshot = latest_snapshot(*view);
  if (!snapshot) {
    res.status = 503;
    res.set_content("no snapshot yet\n", "text/plain; charset=utf-8");
    return;
  }
  res.set_content(json::encode_snapshot(*snapshot) + "\n", "application/json");
}

void serve_health(const HttpServer::State& state, httplib::Response& res) {
  const auto view = state.collection->view();
  const HealthReport report = check_health(*view, state.collection->stopped(), steady_now()());
  std::string body;
  if (report.healthy) {
    body = "ok\n";
  } else {
    for (const std::string& reason : report.reasons) body += reason + "\n";
    res.status = 503;
  }
  res.set_content(body, "text/plain; charset=utf-8");
}

void install_routes(HttpServer::State& state) {
  httplib::Server& server = *state.server;
  const HttpServer::State* s = &state;
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(kIndex), "text/html; charset=utf-8");
  });
  server.Get("/metrics", [s](const httplib::Request& req, httplib::Response& res) { serve_metrics(*s, req, res); });
  server.Get("/json", [s](const httplib::Request&, httplib::Response& res) { serve_json(*s, res); });
  server.Get("/health", [s](const httplib::Request&, httplib::Response& res) { serve_health(*s, res); });
  // Every endpoint is read-only.
  const auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
    res.set_content("method not allowed\n", "text/plain; charset=utf-8");
  };
  server.Post(".*", not_allowed);
  server.Put(".*", not_allowed);
  server.Patch(".*", not_allowed);
  server.Delete(".*", not_allowed);
  server.Options(".*", not_allowed);

  server.set_pre_routing_handler([s](const httplib::Request& req, httplib::Response& res) {
    if (req.headers.size() > s->options.max_headers) {
      res.status = 431;
      res.set_content("too many header fields\n", "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!s->web.basic_auth_users.empty() &&
        !basic_auth_allows(s->web.basic_auth_users, req.get_header_value("Authorization"))) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Basic realm=\"cpmu-exporter\"");
      res.set_content("unauthorized\n", "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) res.set_content(fmt::format("HTTP status {}\n", res.status), "text/plain; charset=utf-8");
  });
  // A handler's exception (e.g. out of memory) is that request's 500, never the server's end.
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
    res.status = 500;
    res.set_content("internal error\n", "text/plain; charset=utf-8");
  });
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<State> state) : state_(std::move(state)) {}
HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::bind(const ServerOptions& options, const WebConfig& web,
                                                     const Collection& collection) {
  auto address = split_address(options.listen_address);
  if (!address) return address.error();
  auto state = std::make_unique<State>();
  state->collection = &collection;
  state->web = web;
  state->options = options;
  if (web.tls) {
    std::string error;
    const TlsConfig tls = *web.tls;
    state->server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) { return setup_tls(ctx, tls, error); });
    if (!state->server->is_valid()) {
      return Error(Errc::kInvalidArgument, "--web.config.file: tls_server_config: " +
                                               (error.empty() ? "cannot create the TLS context" : error));
    }
  } else {
    state->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& server = *state->server;
  const std::size_t threads = std::max<std::size_t>(1, options.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_tcp_nodelay(true);
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would
  // let a second process listen on the same port and take half the scrapes.
  server.set_socket_options([](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_read_timeout(options.read_timeout_s, 0);
  server.set_write_timeout(options.read_timeout_s, 0);
  server.set_keep_alive_timeout(options.read_timeout_s);
  server.set_keep_alive_max_count(100);
  server.set_payload_max_length(options.max_body_bytes);
  httplib::Headers headers;
  for (const auto& [name, value] : web.headers) headers.emplace(name, value);
  server.set_default_headers(std::move(headers));
  install_routes(*state);

  const auto& [host, port] = *address;
  if (port == 0) {
    state->port = server.bind_to_any_port(host);
    if (state->port < 0) return Error(Errc::kIo, fmt::format("cannot listen on {}", options.listen_address));
  } else {
    if (!server.bind_to_port(host, port)) {
      return Error(Errc::kIo, fmt::format("cannot listen on {} (in use, or not an address of this machine?)",
                                          options.listen_address));
    }
    state->port = port;
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(state)));
}

int HttpServer::port() const { return state_->port; }
bool HttpServer::tls() const { return state_->web.tls.has_value(); }
bool HttpServer::serve() { return state_->server->listen_after_bind(); }
void HttpServer::stop() {
  if (state_ && state_->server) state_->server->stop();
}

}  // namespace cpmu::exporter
