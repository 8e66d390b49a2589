// Total limits per request, which cpp-httplib 0.11 lacks: it times out each
// read alone, so a client that sends a byte just inside the read timeout, or
// an endless run of short header lines, would hold a worker thread (and grow
// its memory) for as long as it likes. The watchdog finds the server's
// connections itself (cpp-httplib hands no accepted socket to its callers:
// set_socket_options is applied to the listening socket only) by scanning
// this process's sockets for ones on the server's port, learns from the
// server's hooks when a request's head was read and its response written
// (keyed by the peer's address and port), and shuts down (SHUT_RDWR, so the
// worker's blocked read returns and cpp-httplib closes it) a connection whose
// request or keep-alive wait has run past the deadline, or whose request
// head has taken more bytes than allowed (counted by the kernel, TCP_INFO).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace cpmu::exporter {

struct WatchdogLimits {
  // From a connection's accept, or its previous response, until this
  // request's response is written: covers the keep-alive wait, the TLS
  // handshake, the request head and the handler.
  std::chrono::milliseconds deadline{10000};
  std::uint64_t max_head_bytes = 64 * 1024;  // request line and headers
  std::chrono::milliseconds scan_interval{100};
};

class RequestWatchdog {
 public:
  RequestWatchdog(int port, const WatchdogLimits& limits);
  ~RequestWatchdog();
  RequestWatchdog(const RequestWatchdog&) = delete;
  RequestWatchdog& operator=(const RequestWatchdog&) = delete;

  // From the server's pre-routing handler and logger (any worker thread).
  void head_read(const std::string& address, int port);
  void response_written(const std::string& address, int port);

 private:
  struct PeerMark {
    bool head_read = false;
    std::uint64_t responses = 0;
    std::chrono::steady_clock::time_point last_response;
  };
  struct Connection {
    std::string peer;
    std::chrono::steady_clock::time_point start;
    std::uint64_t bytes_at_start = 0;
    std::uint64_t responses_seen = 0;
    bool shut_down = false;
  };

  void run();
  void scan(std::chrono::steady_clock::time_point now);

  const int port_;
  const WatchdogLimits limits_;
  std::mutex mutex_;  // marks_ and stop_
  std::condition_variable wake_;
  bool stop_ = false;
  std::map<std::string, PeerMark> marks_;
  std::map<std::uint64_t, Connection> connections_;  // by socket inode; the watchdog thread's own
  std::thread thread_;
};

}  // namespace cpmu::exporter
