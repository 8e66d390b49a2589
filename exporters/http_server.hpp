// The exporter's HTTP(S) server on cpp-httplib: /metrics, /json, /health and
// an index at /. A bounded thread pool, TCP_NODELAY, and limits on request
// size, header count and time, so a malformed or slow client gets a 4xx or
// is dropped and never holds the others up for long.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "collection.hpp"
#include "cpmu/result.hpp"
#include "web_config.hpp"

namespace cpmu::exporter {

struct ServerOptions {
  std::string listen_address = ":9739";  // HOST:PORT, [V6]:PORT or :PORT (every IPv4 address)
  std::size_t threads = 4;
  unsigned read_timeout_s = 5;        // per read; keep-alive idle limit too
  std::size_t max_headers = 64;       // more: 431
  std::size_t max_body_bytes = 4096;  // a body (no endpoint takes one): 413 beyond
};

class HttpServer {
 public:
  // Binds (so the port is taken, and privileges may be dropped after) but
  // does not serve yet. TLS keys and certificates are read here.
  static Result<std::unique_ptr<HttpServer>> bind(const ServerOptions& options, const WebConfig& web,
                                                  const Collection& collection);
  ~HttpServer();

  int port() const;
  bool tls() const;
  // Serves until stop(); returns false when the server failed.
  bool serve();
  void stop();  // any thread

  struct State;

 private:
  explicit HttpServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace cpmu::exporter
