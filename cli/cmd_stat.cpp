// cpmu stat: count events on CPMUs, system wide, for as long as a command
// runs, until Ctrl-C, or for --duration; perf stat's output conventions.
// The counting is the monitor's; this file chooses what to count where,
// drives the run (command, signals, intervals) and hands snapshots to a
// renderer.
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "child_process.hpp"
#include "command.hpp"
#include "cpmu/monitor.hpp"
#include "cpmu/recording.hpp"
#include "cpmu/session.hpp"
#include "discovery_notes.hpp"
#include "machine_source.hpp"
#include "option_values.hpp"
#include "output_file.hpp"
#include "stat_aggregation.hpp"
#include "stat_command.hpp"
#include "stat_output.hpp"
#include "stat_selection.hpp"

namespace cpmu::cli {

namespace {

constexpr unsigned kMinIntervalMs = 10;
constexpr unsigned kMaxIntervalMs = 24 * 3600 * 1000;  // a day
constexpr unsigned kMaxIntervalCount = 1'000'000'000;
constexpr const char* kRecordDefaultEvents = "s2m_drs_memdata,m2s_rwd_memwr_all,clock_ticks";
constexpr auto kDefaultSampling = std::chrono::seconds(1);

struct StatOptions {
  MachineSourceOptions machine;
  std::vector<std::string> events;
  std::vector<std::string> metrics;
  CpmuFilters filters;
  unsigned interval_ms = 0;  // from interval_text, by parse_values()
  unsigned interval_count = 0;
  double duration_s = 0;
  std::string interval_text;
  std::string interval_count_text;
  std::string duration_text;
  std::string separator;
  bool json = false;
  bool plan = false;
  bool record = false;  // cpmu record: -o is a recording (cpmu/recording.hpp)
  std::string output;
  std::vector<std::string> command;
  std::string backend = "auto";
  bool no_merge = false;
  bool per_device = false;
  unsigned repeat = 1;
  bool summary = false;
  bool append = false;
  CLI::Option* repeat_option = nullptr;
  CLI::Option* separator_option = nullptr;
  CLI::Option* interval_option = nullptr;
  CLI::Option* interval_count_option = nullptr;
  CLI::Option* duration_option = nullptr;
};

// The longest --duration: ten years, far inside what a steady_clock time
// point holds, so the deadline never overflows.
constexpr double kMaxDurationSeconds = 10.0 * 365 * 24 * 3600;

// "cpmu stat" or "cpmu record", for messages: both run here.
const char* program = "cpmu stat";

int usage(const std::string& message) {
  fmt::print(stderr, "{}: {}\n", program, message);
  return kExitUsage;
}

std::string command_line(const std::vector<std::string>& command) {
  std::string out;
  for (const std::string& word : command) out += (out.empty() ? "" : " ") + word;
  return out;
}

// -M: each metric's inputs join the events (unless already asked for), so
// the monitor can evaluate it wherever they are counted.
Result<std::vector<MetricInfo>> add_metric_inputs(const std::vector<std::string>& names,
                                                  const EventCatalogue& catalogue, std::vector<StatTerm>& terms) {
  std::vector<MetricInfo> metrics;
  for (const std::string& name : names) {
    const MetricInfo* metric = catalogue.find_metric(name);
    if (!metric) return Error(Errc::kInvalidArgument, fmt::format("-M '{}': no such metric in the catalogue", name));
    metrics.push_back(*metric);
    for (const std::string& input : metric->formula.names()) {
      const bool present = std::any_of(terms.begin(), terms.end(), [&](const StatTerm& t) {
        return t.pmu.empty() && t.term.name == input && t.term.threshold == 0 && !t.term.edge && !t.term.invert &&
               !t.term.hdm;
      });
      if (present) continue;
      auto parsed = parse_stat_terms({input}, catalogue);
      if (!parsed) return parsed.error();
      terms.insert(terms.end(), parsed->begin(), parsed->end());
    }
  }
  return metrics;
}

std::vector<PlanRow> plan_rows(const std::vector<StatCandidate>& candidates, const std::vector<StatTerm>& terms) {
  std::vector<PlanRow> rows;
  for (const StatCandidate& c : candidates) {
    for (std::size_t i = 0; i < c.terms.size(); ++i) {
      PlanRow row{c.name.to_string(), terms[c.terms[i]].label, std::nullopt, c.unusable};
      if (c.plan) row.planned = c.plan->counts[i];
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

// What runs: the session's counting and, per term, the series that show it.
struct StatCounting {
  Counting counting;
  std::vector<TermSeries> terms;
};

// Every candidate goes to the session, which picks its backend or says why
// it cannot count. A CPMU chosen by name must count (or the run fails,
// naming it); one -a chose is skipped with a note.
Result<StatCounting> open_counting(Session& session, const std::vector<StatCandidate>& candidates,
                                   const std::vector<StatTerm>& terms, MonitorOptions monitor_options,
                                   BackendChoice backend) {
  std::vector<std::string> why_not(terms.size());
  std::vector<CountTarget> targets;
  std::vector<std::vector<std::size_t>> target_terms;
  for (const StatCandidate& c : candidates) {
    // With -a alone a CPMU counts only what it can; one chosen by name shows
    // <not supported> for the rest, with the reason.
    std::vector<std::size_t> counted;
    for (std::size_t i = 0; i < c.terms.size(); ++i) {
      const bool supported = !c.plan || c.plan->counts[i].placement != Placement::kNotSupported;
      if (c.explicit_choice || supported) {
        counted.push_back(c.terms[i]);
      } else if (why_not[c.terms[i]].empty()) {
        why_not[c.terms[i]] =
            fmt::format("no CPMU can count it ({}: {})", c.name.to_string(), c.plan->counts[i].reason);
      }
    }
    if (counted.empty()) continue;
    CountTarget target{c.cpmu, {}, c.explicit_choice};
    for (std::size_t t : counted) target.requests.push_back(terms[t].request());
    targets.push_back(std::move(target));
    target_terms.push_back(std::move(counted));
  }
  const std::vector<CountTarget> asked = targets;
  CountOptions options;
  options.monitor = std::move(monitor_options);
  options.backend = backend;
  auto counting = session.count(std::move(targets), std::move(options));
  if (!counting) return counting.error();

  StatCounting out{std::move(*counting), {}};
  for (const SkippedCpmu& skipped : out.counting.skipped) {
    fmt::print(stderr, "cpmu stat: skipping {}: {}\n", skipped.name, skipped.reason);
  }
  std::vector<std::vector<std::size_t>> series_of_term(terms.size());
  std::size_t next_series = 0;
  for (std::size_t i = 0; i < asked.size(); ++i) {
    const bool monitored =
        std::find(out.counting.cpmus.begin(), out.counting.cpmus.end(), asked[i].cpmu) != out.counting.cpmus.end();
    for (std::size_t t : target_terms[i]) {
      if (monitored) {
        series_of_term[t].push_back(next_series++);
      } else if (why_not[t].empty()) {
        why_not[t] = "every CPMU that could count it was skipped";
      }
    }
  }
  for (std::size_t t = 0; t < terms.size(); ++t) {
    std::string reason;
    if (series_of_term[t].empty()) reason = why_not[t].empty() ? "no selected CPMU can count it" : why_not[t];
    out.terms.push_back({terms[t].label, terms[t].unit, terms[t].pmu, std::move(series_of_term[t]), reason});
  }
  return out;
}

class SignalFd {
 public:
  explicit SignalFd(int fd) : fd_(fd) {}
  SignalFd(SignalFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  SignalFd(const SignalFd&) = delete;
  ~SignalFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// The signals that end a count (cpmu(1), SIGNALS): each is taken through
// the signalfd, so the counters are disabled and the locks released first.
// SIGPIPE blocked also turns a write to a pipe nobody reads into EPIPE.
constexpr int kEndingSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};

// The ending signals and SIGCHLD arrive through a signalfd, read in the same
// poll as the monitor's notifications; blocked in every thread.
Result<SignalFd> signal_fd() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kEndingSignals) sigaddset(&set, sig);
  sigaddset(&set, SIGCHLD);
  if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return Error(Errc::kIo, "cannot block signals");
  const int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return Error(Errc::kIo, fmt::format("signalfd: {}", std::strerror(errno)));
  return SignalFd(fd);
}

struct RunResult {
  bool interrupted = false;
  int ending_signal = 0;  // the signal that ended a count without a command, or SIGPIPE
  bool partial = false;   // a CPMU failed or went away
  std::optional<int> command_status;
};

class StatSession {
 public:
  StatSession(const StatOptions& options, Monitor& monitor, StatRenderer& renderer, Output& output,
              const std::vector<TermSeries>& terms, Aggregation aggregation, int signals)
      : options_(options),
        monitor_(monitor),
        renderer_(renderer),
        output_(output),
        terms_(terms),
        aggregation_(aggregation),
        signals_(signals) {}

  Result<RunResult> run() {
    if (!options_.command.empty()) {
      auto child = ChildProcess::spawn(options_.command);
      if (!child) return child.error();
      child_ = *child;
    }
    using Clock = std::chrono::steady_clock;
    const std::optional<Clock::time_point> deadline =
        options_.duration_s > 0 ? std::optional(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                                   std::chrono::duration<double>(options_.duration_s)))
                                : std::nullopt;
    while (!done_) {
      int timeout_ms = -1;
      if (deadline) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
        if (left <= 0) break;
        timeout_ms = static_cast<int>(std::min<long long>(left, 60'000));
      }
      pollfd fds[2] = {{monitor_.fd(), POLLIN, 0}, {signals_, POLLIN, 0}};
      if (::poll(fds, 2, timeout_ms) < 0 && errno != EINTR) return Error(Errc::kIo, "poll failed");
      notifications();
      signal_events();
    }
    if (child_ && !result_.command_status) {
      // The output failed or went away: as perf stat at its exit, the
      // command is told to end; cpmu does not wait for it.
      ::kill(child_->pid(), SIGTERM);
    }
    return result_;
  }

 private:
  void notifications() {
    while (auto n = monitor_.next()) {
      switch (n->kind) {
        case NotificationKind::kSnapshot:
          // The monitor keeps only the newest snapshot: one that is newer
          // than the notification's supersedes it, and is printed once.
          if (auto snapshot = monitor_.latest();
              options_.interval_ms > 0 && !done_ && snapshot && snapshot->sequence > printed_sequence_) {
            printed_sequence_ = snapshot->sequence;
            const AggregatedView view = aggregate(*snapshot, terms_, aggregation_);
            if (!output_.write([&](std::FILE*) { renderer_.interval(view.snapshot, view.rows); })) {
              output_failed();
              break;
            }
            if (options_.interval_count > 0 && ++intervals_ >= options_.interval_count) done_ = true;
          }
          break;
        case NotificationKind::kDeviceRemoved:
        case NotificationKind::kDeviceError:
          result_.partial = true;
          fmt::print(stderr, "cpmu stat: {}\n", n->message);
          break;
        case NotificationKind::kUntrusted: break;  // shown with its value, and as a footnote
      }
    }
  }

  // Nobody can see the counts any more: the count ends, and a reader that
  // went away (EPIPE) ends cpmu as SIGPIPE would.
  void output_failed() {
    done_ = true;
    if (output_.failure_errno() == EPIPE) result_.ending_signal = SIGPIPE;
  }

  void signal_events() {
    signalfd_siginfo info;
    while (::read(signals_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      const int sig = static_cast<int>(info.ssi_signo);
      if (sig == SIGCHLD) continue;
      result_.interrupted = true;
      if (sig == SIGPIPE) {
        // Our own write to a pipe nobody reads: the command is not told.
        result_.ending_signal = SIGPIPE;
        done_ = true;
        continue;
      }
      if (!child_) {
        result_.ending_signal = sig;
        done_ = true;
      } else if (info.ssi_code == SI_USER) {
        // Sent to cpmu alone (kill): pass it on. From the terminal the whole
        // process group, command included, has it already.
        ::kill(child_->pid(), sig);
      }
    }
    if (child_) {
      if (auto status = child_->exit_status()) {
        result_.command_status = *status;
        done_ = true;
      }
    }
  }

  const StatOptions& options_;
  Monitor& monitor_;
  StatRenderer& renderer_;
  Output& output_;
  const std::vector<TermSeries>& terms_;
  Aggregation aggregation_;
  int signals_;
  std::optional<ChildProcess> child_;
  RunResult result_;
  bool done_ = false;
  unsigned intervals_ = 0;
  std::uint64_t printed_sequence_ = 0;  // the last interval snapshot printed
};

// perf stat's way after Ctrl-C without a command: the totals are out, then
// the process ends by the signal itself, so a shell loop or make sees an
// interrupt (status 130 for SIGINT) and not success.
[[noreturn]] void end_by_signal(int sig) {
  std::fflush(nullptr);
  std::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  // SIGQUIT's default action would dump the core of a process that has
  // already cleaned up, which shows nothing: the status alone says it.
  if (sig != SIGQUIT) std::raise(sig);
  std::_Exit(128 + sig);  // not reached for the others: their default action ends the process
}

// Where -o sends the counts: standard error by default (as perf stat), '-'
// standard output, else FILE, written under a temporary name until complete.
Result<Output> open_output(const std::string& path, bool append) {
  if (path.empty()) return Output(stderr, "standard error");
  if (path == "-") return Output(stdout, "standard output");
  return append ? Output::append_file(path) : Output::create_file(path);
}

// The counts could not be written: an output whose reader left ends cpmu
// as SIGPIPE would (quietly, as any filter in a pipeline); any other failure
// is named.
int output_error(const Output& output, int& ending_signal) {
  if (output.failure_errno() == EPIPE) {
    ending_signal = SIGPIPE;
    return kExitOutput;
  }
  if (!std::ferror(stderr)) fmt::print(stderr, "cpmu stat: {}\n", output.failure()->message());
  return kExitOutput;
}

// Each numeric and separator option has one rule (option_values.hpp), and a
// value given is never silently "off": -I from kMinIntervalMs to
// kMaxIntervalMs, --interval-count from 1, --duration above 0 and at most
// kMaxDurationSeconds, -x no quote or control character.
Status parse_values(StatOptions& options) {
  if (options.interval_option->count() > 0) {
    auto ms = parse_whole_number("-I", options.interval_text, kMinIntervalMs, kMaxIntervalMs, "milliseconds");
    if (!ms) return ms.error();
    options.interval_ms = static_cast<unsigned>(*ms);
  }
  if (options.interval_count_option->count() > 0) {
    auto n = parse_whole_number("--interval-count", options.interval_count_text, 1, kMaxIntervalCount, "intervals");
    if (!n) return n.error();
    options.interval_count = static_cast<unsigned>(*n);
  }
  if (options.duration_option->count() > 0) {
    auto seconds = parse_seconds("--duration", options.duration_text, kMaxDurationSeconds);
    if (!seconds) return seconds.error();
    options.duration_s = *seconds;
  }
  // cpmu record has no -x.
  if (options.separator_option && options.separator_option->count() > 0) {
    return check_separator("-x", options.separator);
  }
  return {};
}

// ending_signal: set when a signal ended a count without a command, or the
// reader of the output went away.
int run_stat(StatOptions& options, int& ending_signal) {
  if (Status valid = parse_values(options); !valid) return usage(valid.error().message());
  if (options.interval_count > 0 && options.interval_ms == 0) return usage("--interval-count needs -I MS");
  if (!options.command.empty() && (options.duration_s > 0 || options.interval_count > 0)) {
    return usage("a COMMAND ends the count itself: drop --duration and --interval-count, or the COMMAND");
  }
  if (options.repeat_option && options.repeat_option->count() > 0 && options.repeat == 0) {
    return usage("-r 0: expected at least 1 run");
  }
  if (options.append && (options.output.empty() || options.output == "-")) {
    return usage("--append needs -o FILE: the file the counts are added to");
  }
  if (!options.record && options.events.empty() && options.metrics.empty()) {
    return usage("--event is required (or -M METRICS, whose inputs are counted)");
  }

  if (auto backend = parse_backend_choice(options.backend)) {
    options.filters.backend = *backend;
  } else {
    return usage(fmt::format("--backend {}: expected direct, perf or auto", options.backend));
  }

  // Before any thread exists (the simulator's ticker, the monitor's): a
  // thread that has these signals unblocked would take them, and SIGINT
  // would end cpmu without its totals.
  auto signals = signal_fd();
  if (!signals) return usage(signals.error().message());

  CatalogueLoad catalogue = load_event_catalogue(default_event_search_path());
  auto terms = parse_stat_terms(options.events, catalogue.catalogue);
  if (!terms) return usage(terms.error().message());
  auto metrics = add_metric_inputs(options.metrics, catalogue.catalogue, *terms);
  if (!metrics) return usage(metrics.error().message());

  auto opened = options.machine.open();
  if (!opened) return usage(opened.error().message());
  Session& machine = **opened;
  if (machine.machine().config_access_denied) {
    return usage("extended configuration space needs root (CAP_SYS_ADMIN): CPMUs cannot be found or counted");
  }
  auto candidates = plan_stat(machine.machine(), *terms, options.filters);
  if (!candidates) return usage(candidates.error().message());
  if (candidates->empty()) return usage(fmt::format("no CPMU on this machine (backend {})", machine.backend().name));
  // -a means every CPMU: one discovery could not find is named, and the
  // status then says the count is not complete.
  const bool incomplete =
      options.filters.all && !options.plan &&
      note_discovery_problems(
          stderr, "cpmu stat", machine.machine(),
          options.filters.slot.empty() ? std::nullopt : std::optional(*SlotFilter::parse(options.filters.slot)));

  std::unique_ptr<StatRenderer> recorder;
  if (options.record) {
    auto writer = RecordingWriter::create(options.output, recording_header(machine, options.interval_ms));
    if (!writer) return usage(writer.error().message());
    recorder = make_recording_renderer(std::move(*writer), options.output);
  }
  // cpmu record's counts go to the recording; standard error has its closing line.
  auto output = open_output(options.record ? std::string() : options.output, options.append);
  if (!output) return usage(fmt::format("-o: {}", output.error().message()));
  std::FILE* out = output->stream();
  std::unique_ptr<StatRenderer> renderer = recorder       ? std::move(recorder)
                                           : options.json ? make_json_renderer(out)
                                           : options.separator_option && options.separator_option->count()
                                               ? make_csv_renderer(out, options.separator, options.summary)
                                               : make_text_renderer(out);
  if (options.plan) {
    Status written = output->write([&](std::FILE*) { renderer->plan(plan_rows(*candidates, *terms)); });
    if (written) written = output->finish();
    return written ? kExitOk : output_error(*output, ending_signal);
  }

  // A recording carries each function's CDAT capacity (read before
  // counting, so the snapshots' identities have it) for cpmu report.
  if (options.record) machine.cdat();
  // A recording keeps every CPMU's own series.
  const Aggregation aggregation = options.record || options.no_merge ? Aggregation::kPerCpmu
                                  : options.per_device               ? Aggregation::kPerDevice
                                                                     : Aggregation::kMerge;
  // -r N: the same count N times; the totals are the runs' means, with
  // their spread (StatRow::noise_pct).
  std::vector<AggregatedView> runs;
  std::optional<RunResult> result;
  for (unsigned repeat = 0; repeat < options.repeat && !(result && (result->interrupted || result->partial));
       ++repeat) {
    MonitorOptions monitor_options;
    monitor_options.interval = options.interval_ms > 0 ? std::chrono::milliseconds(options.interval_ms)
                                                       : std::chrono::milliseconds(kDefaultSampling);
    monitor_options.metrics = *metrics;
    monitor_options.catalogue = &catalogue.catalogue;
    auto counting = open_counting(machine, *candidates, *terms, std::move(monitor_options), options.filters.backend);
    if (!counting) return usage(counting.error().message());
    if (counting->counting.cpmus.empty() && !counting->counting.skipped.empty()) {
      return usage("nothing to count: every CPMU that could count these events was skipped (see above)");
    }
    Monitor& monitor = *counting->counting.monitor;
    if (Status started = monitor.start(); !started) return usage(started.error().message());

    StatSession session(options, monitor, *renderer, *output, counting->terms, aggregation, signals->get());
    auto ran = session.run();
    if (!ran) {
      monitor.stop();
      fmt::print(stderr, "cpmu stat: {}\n", ran.error().message());
      // As a shell reports a command it cannot run.
      return ran.error().code() == Errc::kNotFound ? 127 : 126;
    }
    result = *ran;
    // The totals so far are printed whatever ended the run (Ctrl-C included).
    std::shared_ptr<const Snapshot> final_counts = monitor.sample_now();
    monitor.stop();
    for (const SourceStatus& cpmu : final_counts->sources) {
      result->partial = result->partial || cpmu.health != SourceHealth::kCounting;
    }
    runs.push_back(aggregate(*final_counts, counting->terms, aggregation));
  }
  StatRun run;
  run.target = options.command.empty() ? "system wide" : command_line(options.command);
  run.interrupted = result->interrupted;
  run.repeats = static_cast<unsigned>(runs.size());
  const AggregatedView totals = average_runs(runs, run.elapsed_noise_pct);
  Status written = output->write([&](std::FILE*) { renderer->totals(totals.snapshot, totals.rows, run); });
  if (written) written = output->finish();
  if (!written) return output_error(*output, ending_signal);
  result->partial = result->partial || incomplete;
  ending_signal = result->ending_signal;
  if (result->command_status) return *result->command_status;
  return result->partial ? kExitPartial : kExitOk;
}

}  // namespace

Runner setup_stat_command(CLI::App& app, bool record) {
  auto options = std::make_shared<StatOptions>();
  options->record = record;
  options->machine.add_to(app);
  app.add_option("-e,--event", options->events,
                 "Events to count: catalogue names, a+b sums, raw "
                 "vid=,gid=,mask=[,threshold=,edge,invert,hdm=] or PMU/terms/ (PMU: a CPMU name such "
                 "as 0000:0d:00.0/0, or cxl_pmu_memX.Y); repeatable" +
                     std::string(record ? " (default: the bandwidth events on every CPMU)" : ""))
      ->allow_extra_args(false)
      ->type_name("EVENTS");
  app.add_option("-M,--metrics", options->metrics, "Derived metrics from the catalogue; their events are added")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("METRICS");
  app.add_flag("-a,--all-cpmus", options->filters.all,
               "Count each event on every CPMU that can count it (the default without -s, -m or --cpmu)");
  app.add_option("-s,--slot", options->filters.slot, "Only CPMUs of functions in [[[[domain]:]bus]:][slot][.[func]]")
      ->type_name("SLOT");
  app.add_option("-m,--memdev", options->filters.memdev, "Only CPMUs of this kernel memdev (mem0 or 0)")
      ->type_name("MEMDEV");
  app.add_option("--cpmu", options->filters.cpmus,
                 "Only these CPMUs: a selector (cpmu(1) SELECTORS: 0d:00.0/0, cxl_pmu_mem0.0, mem0, endpoint, "
                 "mem*, ...); repeatable")
      ->allow_extra_args(false)
      ->type_name("CPMU");
  options->interval_option = app.add_option("-I,--interval-print", options->interval_text,
                                            record ? "Record a frame every MS ms (default 1000)"
                                                   : "Print the counts of every interval of MS ms")
                                 ->type_name("MS");
  options->interval_count_option =
      app.add_option("--interval-count", options->interval_count_text, "With -I: stop after N intervals")
          ->type_name("N");
  options->duration_option =
      app.add_option("--duration", options->duration_text, "Count for SECONDS, then print the totals")
          ->type_name("SECONDS");
  app.add_option("--backend", options->backend,
                 "How to count: direct (cpmu programs the CPMU), perf (through the kernel's cxl_pmu driver) or "
                 "auto (perf where the kernel owns the CPMU, else direct; the default)")
      ->type_name("BACKEND");
  if (record) {
    app.add_option("-o,--output", options->output, "The recording to write: JSON lines ('-': standard output)")
        ->required()
        ->type_name("FILE");
  } else {
    options->separator_option =
        app.add_option("-x,--field-separator", options->separator, "CSV output with SEP between fields")
            ->type_name("SEP");
    auto* json = app.add_flag("-j,--json", options->json, "JSON lines output (schema: cpmu(1))");
    options->separator_option->excludes(json);
    app.add_flag("--plan", options->plan, "Show which counter each event would use, and why not; count nothing");
    app.add_option("-o,--output", options->output,
                   "Write the counts to FILE ('-': standard output) instead of standard error")
        ->type_name("FILE");
    auto* no_merge = app.add_flag("-A,--no-merge,--no-aggr", options->no_merge,
                                  "A line per CPMU for an event counted on several (default: one line summing them, "
                                  "as perf merges same-named PMUs)");
    app.add_flag("--per-device", options->per_device, "A line per PCI function, summing its CPMUs")->excludes(no_merge);
    options->repeat_option = app.add_option("-r,--repeat", options->repeat,
                                            "Count N times (the COMMAND or --duration each time); print "
                                            "the means and their spread (+- xx.xx%)")
                                 ->type_name("N");
    app.add_flag("--summary", options->summary,
                 "With -I: mark the totals as the summary (CSV: 'summary' in the time column, as perf)");
    app.add_flag("--append", options->append, "With -o FILE: add to FILE instead of replacing it");
  }
  app.add_option("command", options->command, "The command to run while counting (after --)")->type_name("COMMAND ...");
  return [options] {
    program = options->record ? "cpmu record" : "cpmu stat";
    if (options->record) {
      // A recording of nothing in particular records bandwidth everywhere.
      if (options->events.empty()) options->events = {kRecordDefaultEvents};
      if (!options->filters.any()) options->filters.all = true;
      if (options->interval_ms == 0) options->interval_ms = 1000;
    }
    int ending_signal = 0;
    const int status = run_stat(*options, ending_signal);
    // After run_stat: its monitor, machine and CPMU locks are released by then.
    if (ending_signal != 0) end_by_signal(ending_signal);
    return status;
  };
}

Runner setup_stat(CLI::App& app) { return setup_stat_command(app, false); }

}  // namespace cpmu::cli
