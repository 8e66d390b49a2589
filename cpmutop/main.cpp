// cpmutop: the interactive, htop-grade view of CXL traffic across the whole
// topology. Picks the feed (a machine, a recording, a remote exporter),
// reads the setup, and runs the screen or batch mode.
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <memory>
#include <optional>

#include "batch_output.hpp"
#include "cpmu/json.hpp"
#include "cpmu/recording.hpp"
#include "cpmu/text_glyphs.hpp"
#include "frame_model.hpp"
#include "live_feed.hpp"
#include "options.hpp"
#include "remote_feed.hpp"
#include "replay_feed.hpp"
#include "settings.hpp"
#include "terminal_guard.hpp"
#include "tui.hpp"

namespace {

using namespace cpmu;
using namespace cpmu::top;

std::string source_of(const PlatformSource& source) {
  if (source.backend == "sim") return "simulated";
  if (source.backend == "dump") return "dump";
  return "hardware";
}

bool has_cpmu(const DiscoveredMachine& machine) {
  return std::any_of(machine.functions.begin(), machine.functions.end(),
                     [](const DiscoveredFunction& f) { return !f.cpmus.empty(); });
}

// The live feed, or the one line that says why there is none: no CXL
// hardware (try --sim), or what privilege is missing.
Result<std::unique_ptr<Feed>> open_machine(const Options& o, const Settings& settings, RecordingHeader& header) {
  const SessionOptions session_options = o.machine.session_options();
  auto session = Session::open(session_options);
  if (!session) return session.error();
  const DiscoveredMachine& machine = (*session)->machine();
  const bool running = session_options.source.backend == "linux";
  if (!has_cpmu(machine)) {
    if (running && machine.config_access_denied) {
      return Error(Errc::kPermissionDenied,
                   "no CXL CPMU visible: reading PCIe extended config space needs root (run as root, or --connect "
                   "to a cpmu-exporter; --sim shows the built-in simulated machine)");
    }
    if (running) {
      return Error(Errc::kNotFound,
                   "no CXL device with a CPMU on this machine; try cpmutop --sim for the built-in "
                   "simulated machine");
    }
    return Error(Errc::kNotFound, "no CXL device with a CPMU on this machine");
  }
  auto feed = LiveFeed::open(std::move(*session), source_of(session_options.source), settings);
  if (!feed) return feed.error();
  LiveFeed& live = **feed;
  header.source = std::string(live.source());
  json::MachineDocument doc{&live.session().machine(),
                            &live.session().topology(),
                            {},
                            live.session().kernel().perf_pmus,
                            &live.session().catalogue().catalogue};
  header.machine = json::encode_machine(doc);
  return std::unique_ptr<Feed>(std::move(*feed));
}

int run_batch(Feed& feed, const Settings& settings, const Options& o, RecordingWriter* recording) {
  if (auto started = feed.start(); !started) {
    fmt::print(stderr, "cpmutop: {}\n", started.error().message());
    return kExitError;
  }
  unsigned long frames = 0;
  while (!o.iterations || frames < *o.iterations) {
    if (termination_signal() != 0) return 128 + termination_signal();
    if (feed.ended()) break;
    pollfd fds[2] = {{termination_fd(), POLLIN, 0}, {feed.wait_fd(), POLLIN, 0}};
    poll(fds, feed.wait_fd() >= 0 ? 2 : 1, std::clamp(feed.wait_ms(), 0, 250));
    auto next = feed.next();
    if (!next) {
      fmt::print(stderr, "cpmutop: {}\n", next.error().message());
      return kExitError;
    }
    for (const std::string& m : feed.take_messages()) fmt::print(stderr, "cpmutop: {}\n", m);
    if (!*next) continue;
    ++frames;
    if (recording) {
      if (auto written = recording->write(**next); !written) {
        fmt::print(stderr, "cpmutop: {}\n", written.error().message());
        return kExitError;
      }
    }
    FrameInput in;
    in.snapshot = next->get();
    in.source = std::string(feed.source());
    if (LiveFeed* live = feed.live()) in.idle = &live->idle();
    in.settings = &settings;
    in.alerts = &o.alerts;
    in.ascii = o.ascii || !locale_is_utf8();
    const Frame frame = build_frame(in);
    if (o.json) {
      fmt::print("{}\n", json::encode_snapshot(**next));
      fmt::print(stderr, "{}", alert_lines(frame));
    } else {
      fmt::print("{}", batch_text(frame, settings));
    }
    std::fflush(stdout);
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // LC_CTYPE only: the character set decides UTF-8 or ASCII drawing; numbers
  // keep the C locale's format.
  std::setlocale(LC_CTYPE, "");
  Options options;
  if (auto exit = parse_options(argc, argv, options)) return *exit;
  install_terminal_guard();

  const std::string rc = options.rc.empty() ? rc_path() : options.rc;
  std::string notice;
  Settings settings;
  if (auto read = read_rc_file(rc, Settings{}); read) {
    settings = *read;
  } else {
    notice = read.error().message();
    if (options.batch) fmt::print(stderr, "cpmutop: {}\n", notice);
  }
  if (options.delay_tenths) settings.delay_tenths = *options.delay_tenths;

  RecordingHeader header;
  header.tool = "cpmutop " CPMU_VERSION;
  header.interval_ns = static_cast<std::uint64_t>(settings.delay_tenths) * 100'000'000ull;
  header.start_wall_time_ns = wall_clock_now()();
  std::unique_ptr<Feed> feed;
  if (!options.replay.empty()) {
    auto replay = ReplayFeed::open(options.replay, options.speed);
    if (!replay) {
      fmt::print(stderr, "cpmutop: {}\n", replay.error().message());
      return kExitError;
    }
    header = (*replay)->header();
    header.tool = "cpmutop " CPMU_VERSION;
    feed = std::move(*replay);
  } else if (!options.connect.empty()) {
    auto remote =
        RemoteFeed::open(options.connect, std::chrono::milliseconds(100) * settings.delay_tenths, options.cacert);
    if (!remote) {
      fmt::print(stderr, "cpmutop: {}\n", remote.error().message());
      return kExitUsage;
    }
    // The first GET before the screen: nothing listening is one clear line.
    if (auto first = (*remote)->fetch(); !first) {
      fmt::print(stderr, "cpmutop: {}\n", first.error().message());
      return kExitError;
    }
    header.source = "remote";
    feed = std::move(*remote);
  } else {
    auto machine = open_machine(options, settings, header);
    if (!machine) {
      fmt::print(stderr, "cpmutop: {}\n", machine.error().message());
      return kExitError;
    }
    feed = std::move(*machine);
  }

  std::optional<RecordingWriter> recording;
  if (!options.record.empty()) {
    auto writer = RecordingWriter::create(options.record, header);
    if (!writer) {
      fmt::print(stderr, "cpmutop: {}\n", writer.error().message());
      return kExitError;
    }
    recording.emplace(std::move(*writer));
  }
  RecordingWriter* writer = recording ? &*recording : nullptr;
  // A machine whose CPMUs all refuse (a dump, the kernel's driver, no
  // privilege): say what is missing and that the tree still shows.
  if (LiveFeed* live = feed->live(); live && live->monitored() == 0 && !live->idle().empty()) {
    const std::string why =
        fmt::format("none of the {} CPMUs can count here ({}: {}); the topology and CDAT still show",
                    live->idle().size(), live->idle().front().identity.name.to_string(), live->idle().front().reason);
    if (options.batch) fmt::print(stderr, "cpmutop: {}\n", why);
    if (notice.empty()) notice = why;
  }
  if (options.batch) return run_batch(*feed, settings, options, writer);
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    fmt::print(stderr, "cpmutop: the screen needs a terminal; use -b for batch output\n");
    return kExitUsage;
  }
  return run_tui(*feed, settings, options, writer, rc, notice);
}
