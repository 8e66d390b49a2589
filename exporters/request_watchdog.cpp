#include "request_watchdog.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <linux/tcp.h>  // tcp_info with tcpi_bytes_received (glibc's lacks it)
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <charconv>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

namespace cpmu::exporter {

namespace {

std::string peer_key(const std::string& address, int port) { return fmt::format("{}|{}", address, port); }

int local_port(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  return -1;
}

struct ServerSocket {
  int fd;
  std::uint64_t inode;
  std::string peer;
  std::uint64_t bytes_received;
};

// A connected TCP socket of the server's port; the listening socket has no peer.
std::optional<ServerSocket> server_socket(int fd, int port) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return std::nullopt;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 || local_port(address) != port) {
    return std::nullopt;
  }
  length = sizeof address;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return std::nullopt;
  // The same numeric form cpp-httplib gives the handlers as remote_addr.
  char host[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&address), length, host, sizeof host, nullptr, 0, NI_NUMERICHOST) !=
      0) {
    return std::nullopt;
  }
  tcp_info info{};
  socklen_t info_length = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_length) != 0) return std::nullopt;
  return ServerSocket{fd, static_cast<std::uint64_t>(st.st_ino), peer_key(host, local_port(address)),
                      info.tcpi_bytes_received};
}

}  // namespace

RequestWatchdog::RequestWatchdog(int port, const WatchdogLimits& limits)
    : port_(port), limits_(limits), thread_([this] { run(); }) {}

RequestWatchdog::~RequestWatchdog() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RequestWatchdog::head_read(const std::string& address, int port) {
  const std::lock_guard lock(mutex_);
  marks_[peer_key(address, port)].head_read = true;
}

void RequestWatchdog::response_written(const std::string& address, int port) {
  // A request cpp-httplib refused before parsing it (400) carries no peer:
  // its connection keeps its deadline.
  if (address.empty()) return;
  const std::lock_guard lock(mutex_);
  PeerMark& mark = marks_[peer_key(address, port)];
  mark.head_read = false;
  ++mark.responses;
  mark.last_response = std::chrono::steady_clock::now();
}

void RequestWatchdog::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, limits_.scan_interval, [this] { return stop_; })) {
    lock.unlock();
    scan(std::chrono::steady_clock::now());
    lock.lock();
  }
}

void RequestWatchdog::scan(std::chrono::steady_clock::time_point now) {
  std::vector<ServerSocket> sockets;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    const int own = ::dirfd(dir);
    while (const dirent* entry = ::readdir(dir)) {
      const std::string_view name = entry->d_name;
      int fd = -1;
      if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc() || fd == own) continue;
      if (auto socket = server_socket(fd, port_)) sockets.push_back(std::move(*socket));
    }
    ::closedir(dir);
  }

  const std::lock_guard lock(mutex_);
  std::set<std::uint64_t> live;
  std::set<std::string> peers;
  for (const ServerSocket& socket : sockets) {
    live.insert(socket.inode);
    peers.insert(socket.peer);
    auto [it, added] = connections_.try_emplace(socket.inode);
    Connection& connection = it->second;
    const auto mark = marks_.find(socket.peer);
    if (added || connection.peer != socket.peer) {
      connection = Connection{socket.peer, now, 0, mark == marks_.end() ? 0 : mark->second.responses, false};
    }
    const bool head_read = mark != marks_.end() && mark->second.head_read;
    if (mark != marks_.end() && mark->second.responses != connection.responses_seen) {
      // A response went out: the next request (or the keep-alive wait) starts.
      connection.responses_seen = mark->second.responses;
      connection.start = mark->second.last_response;
      connection.bytes_at_start = socket.bytes_received;
    }
    const bool late = now - connection.start > limits_.deadline;
    const bool head_too_big = !head_read && socket.bytes_received - connection.bytes_at_start > limits_.max_head_bytes;
    if ((late || head_too_big) && !connection.shut_down) {
      // Still the same socket (not closed and its number reused meanwhile).
      struct stat st {};
      if (::fstat(socket.fd, &st) == 0 && static_cast<std::uint64_t>(st.st_ino) == socket.inode) {
        ::shutdown(socket.fd, SHUT_RDWR);
      }
      connection.shut_down = true;
    }
  }
  std::erase_if(connections_, [&](const auto& entry) { return !live.contains(entry.first); });
  std::erase_if(marks_, [&](const auto& entry) { return !peers.contains(entry.first); });
}

}  // namespace cpmu::exporter
