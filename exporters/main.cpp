// cpmu-exporter: CXL CPMU counts for Prometheus (cpmu-exporter(8)). Opens the
// machine and starts counting, binds, drops privileges, then serves while
// the main thread waits for signals: SIGHUP reloads the collection file,
// SIGINT/SIGTERM stop. The monitor's notifications (device gone, totals no
// longer trusted) are logged here as they come.
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "collection.hpp"
#include "collection_config.hpp"
#include "http_server.hpp"
#include "machine_source.hpp"
#include "privilege_drop.hpp"
#include "web_config.hpp"

namespace {

using namespace cpmu;
using namespace cpmu::exporter;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void log(const std::string& message) { fmt::print(stderr, "cpmu-exporter: {}\n", message); }

struct Options {
  cli::MachineSourceOptions machine;
  ServerOptions server;
  std::string web_config_file;
  std::string collection_file;
  std::string user;
  bool allow_root = false;
};

Result<CollectionConfig> collection_config(const Options& options) {
  if (options.collection_file.empty()) return default_collection_config();
  return load_collection_config(options.collection_file);
}

void log_notifications(const Collection& collection) {
  const auto view = collection.view();
  if (!view->monitor) return;
  while (auto n = view->monitor->next()) {
    if (n->kind != NotificationKind::kSnapshot) log(fmt::format("{}: {}", notification_kind_name(n->kind), n->message));
  }
}

int run(const Options& options) {
  if (::geteuid() == 0 && options.user.empty() && !options.allow_root) {
    log("refusing to serve as root: give --user USER (privileges are dropped once the hardware is open) or "
        "--allow-root");
    return kExitUsage;
  }
  auto config = collection_config(options);
  if (!config) {
    log(config.error().message());
    return kExitUsage;
  }
  WebConfig web;
  if (!options.web_config_file.empty()) {
    auto loaded = load_web_config(options.web_config_file);
    if (!loaded) {
      log(loaded.error().message());
      return kExitUsage;
    }
    web = std::move(*loaded);
  }

  // Signals arrive through a signalfd read below; blocked before any thread
  // starts so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGHUP, SIGINT, SIGTERM}) sigaddset(&signals, sig);
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0) {
    log(fmt::format("signalfd: {}", std::strerror(errno)));
    return kExitFailure;
  }

  auto session = options.machine.open();
  if (!session) {
    log(session.error().message());
    return kExitUsage;
  }
  auto collection = Collection::open(std::move(*session), std::move(*config));
  if (!collection) {
    log(collection.error().message());
    return kExitUsage;
  }
  auto server = HttpServer::bind(options.server, web, **collection);
  if (!server) {
    log(server.error().message());
    return kExitUsage;
  }
  if (!options.user.empty()) {
    if (auto dropped = drop_privileges(options.user); !dropped) {
      log(dropped.error().message());
      return kExitFailure;
    }
  }
  {
    // Not held beyond this block: a reload waits for every holder of the old view.
    const auto view = (*collection)->view();
    for (const SkippedCpmu& skipped : view->skipped)
      log(fmt::format("not counting {}: {}", skipped.name, skipped.reason));
    log(fmt::format("counting {} CPMUs every {:.3g} s; listening on port {}{}", view->sources.size(),
                    std::chrono::duration<double>(view->interval).count(), (*server)->port(),
                    (*server)->tls() ? " (TLS)" : ""));
  }

  bool served = true;
  std::thread serving([&] { served = (*server)->serve(); });
  bool running = true;
  while (running) {
    pollfd fds[1] = {{signal_fd, POLLIN, 0}};
    if (::poll(fds, 1, 1000) < 0 && errno != EINTR) break;
    log_notifications(**collection);
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo info{};
    if (::read(signal_fd, &info, sizeof info) != sizeof info) continue;
    if (info.ssi_signo == SIGHUP && !options.user.empty() && (*collection)->live_machine()) {
      // Counting again reopens the CPMU registers, which the dropped
      // privileges no longer allow: the collection would stop.
      log("SIGHUP ignored: reloading on the running machine needs the privileges given up by --user; restart "
          "instead");
    } else if (info.ssi_signo == SIGHUP) {
      auto reloaded = collection_config(options);
      Status status = reloaded ? (*collection)->reload(std::move(*reloaded)) : Status(reloaded.error());
      log(status ? "reloaded the collection file"
                 : "reload failed, still counting as before: " + status.error().message());
    } else {
      running = false;
    }
  }
  (*server)->stop();
  serving.join();
  (*collection)->stop();
  ::close(signal_fd);
  return served ? 0 : kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cpmu-exporter: CXL CPMU counts for Prometheus (see cpmu-exporter(8))", "cpmu-exporter"};
  Options options;
  options.machine.add_to(app);
  app.add_option("--web.listen-address", options.server.listen_address,
                 "Address to listen on: HOST:PORT, [V6]:PORT or :PORT (default :9739)");
  app.add_option("--web.config.file", options.web_config_file, "exporter-toolkit web configuration (TLS, basic auth)")
      ->type_name("FILE");
  app.add_option("--collection.file", options.collection_file,
                 "What to count: events per component kind, CPMUs, interval")
      ->type_name("FILE");
  app.add_option("--web.max-threads", options.server.threads, "Requests served at once (default 4)")
      ->check(CLI::Range(1, 256));
  app.add_option("--web.read-timeout", options.server.read_timeout_s,
                 "Seconds a client may take per read, and keep an idle connection (default 5)")
      ->check(CLI::Range(1, 300));
  app.add_option("--web.max-headers", options.server.max_headers, "Header fields a request may have (default 64)")
      ->check(CLI::Range(8, 1024));
  app.add_option("--user", options.user, "Become USER once the hardware is open")->type_name("USER");
  app.add_flag("--allow-root", options.allow_root, "Serve as root (without --user)");
  app.add_flag_callback(
      "--version", [] { throw CLI::CallForVersion("cpmu-exporter " CPMU_VERSION, 0); }, "Print the version");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  return run(options);
}
