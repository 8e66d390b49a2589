#include "cpmu/session.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "counting/direct_backend.hpp"
#include "cpmu/cpmu_name.hpp"
#include "cpmu/ownership.hpp"
#include "perf/cpmu_perf_backend.hpp"

namespace cpmu {

// A directory of our own for the CPMU locks of a machine no other process can
// see (a simulation): made with mkdtemp, so nobody can plant it beforehand.
class PrivateLockDirectory {
 public:
  PrivateLockDirectory() = default;
  PrivateLockDirectory(const PrivateLockDirectory&) = delete;
  PrivateLockDirectory& operator=(const PrivateLockDirectory&) = delete;
  ~PrivateLockDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  Result<std::string> path() {
    if (!path_.empty()) return path_;
    std::error_code ec;
    std::string pattern = (std::filesystem::temp_directory_path(ec) / "cpmu-locks-XXXXXX").string();
    if (ec) pattern = "/tmp/cpmu-locks-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Error(Errc::kIo, fmt::format("cannot create a private lock directory {}: {}", pattern,
                                          std::strerror(errno)));
    }
    path_ = pattern;
    return path_;
  }

 private:
  std::string path_;
};

struct Session::State {
  SessionOptions options;
  const PlatformBackend* backend = nullptr;
  std::unique_ptr<Platform> platform;
  DiscoveredMachine machine;
  Topology topology;
  SysfsRoots roots;
  KernelCxlView kernel;
  std::optional<CatalogueLoad> catalogue;
  std::optional<CdatContext> cdat;
  std::vector<std::string> locks;
  PrivateLockDirectory private_locks;
};

namespace {

// The lock directories a session takes locks in. The running machine's CPMUs
// are shared with every other process, so its locks go where every cpmu
// looks. Another machine belongs to this process: $CPMU_LOCK_DIR when set
// (so that two processes can meet over one simulated machine), else a
// private directory.
Result<std::vector<std::string>> lock_directories_for(bool live, PrivateLockDirectory& private_locks) {
  if (live) return cpmu_lock_directories();
  if (const char* chosen = std::getenv("CPMU_LOCK_DIR"); chosen != nullptr && *chosen != '\0') {
    return std::vector<std::string>{chosen};
  }
  auto dir = private_locks.path();
  if (!dir) return dir.error();
  return std::vector<std::string>{*dir};
}

}  // namespace

Session::Session(std::unique_ptr<State> state) : state_(std::move(state)) {}
Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::open(SessionOptions options) {
  auto state = std::make_unique<State>();
  state->backend = find_platform_backend(options.source.backend);
  auto platform = open_platform(options.source);
  if (!platform) return platform.error();
  state->platform = std::move(*platform);
  auto machine = discover(*state->platform, options.discovery);
  if (!machine) return machine.error();
  state->machine = std::move(*machine);
  state->topology = build_topology(state->machine);

  const bool live = state->backend->live;
  if (options.kernel) {
    state->roots = *options.kernel;
  }
  if (live || options.kernel) state->kernel = read_kernel_cxl_view(state->roots);
  // Ownership is annotated whatever the source: a process lock is looked
  // for where this session would take its own.
  if (live || std::getenv("CPMU_LOCK_DIR") != nullptr) {
    auto locks = lock_directories_for(live, state->private_locks);
    if (!locks) return locks.error();
    state->locks = std::move(*locks);
  }
  annotate_topology(state->machine, state->topology, state->kernel, state->locks);
  state->options = std::move(options);
  return std::unique_ptr<Session>(new Session(std::move(state)));
}

const PlatformBackend& Session::backend() const { return *state_->backend; }
Platform& Session::platform() { return *state_->platform; }
const DiscoveredMachine& Session::machine() const { return state_->machine; }
const Topology& Session::topology() const { return state_->topology; }
const KernelCxlView& Session::kernel() const { return state_->kernel; }
const SysfsRoots& Session::kernel_roots() const { return state_->roots; }

const CatalogueLoad& Session::catalogue() {
  if (!state_->catalogue) {
    state_->catalogue = load_event_catalogue(state_->options.events ? *state_->options.events
                                                                    : default_event_search_path());
  }
  return *state_->catalogue;
}

const CdatContext& Session::cdat(const CdatReadOptions& options) {
  if (!state_->cdat) {
    CdatReadOptions read = options;
    read.cxl_root = state_->roots.cxl;
    state_->cdat = read_cdat_context(*state_->platform, state_->machine, state_->topology, read);
  }
  return *state_->cdat;
}

const std::vector<std::string>& Session::lock_directories() {
  if (state_->locks.empty()) {
    if (auto locks = lock_directories_for(state_->backend->live, state_->private_locks)) state_->locks = *locks;
  }
  return state_->locks;
}

std::string cpmu_unusable_reason(const Cpmu& cpmu) {
  BackendDecision decision = decide_backend(cpmu);
  return decision.backend.empty() ? decision.reason : std::string();
}

Result<Counting> Session::count(std::vector<CountTarget> targets, CountOptions options) {
  const std::vector<std::string>& locks = lock_directories();
  if (locks.empty()) return Error(Errc::kIo, "no CPMU lock directory can be used");
  Counting out;
  std::vector<MonitoredCpmu> monitored;
  std::string failures;
  for (CountTarget& target : targets) {
    const DiscoveredFunction& function = state_->machine.functions.at(target.cpmu.function);
    const Cpmu& cpmu = function.cpmus.at(target.cpmu.cpmu);
    const std::string name = CpmuName{function.info.address, cpmu.instance}.to_string();
    const BackendDecision decision = decide_backend(cpmu, options.backend);
    std::string why = decision.backend.empty() ? decision.reason : std::string();
    std::unique_ptr<CounterBackend> backend;
    if (decision.backend == "perf") {
      CpmuPerfOptions perf;
      perf.event_source_root = state_->roots.event_source;
      perf.now = options.monitor.now;
      auto opened = open_cpmu_perf_backend(function, cpmu, target.requests, perf);
      if (opened) {
        backend = std::move(*opened);
      } else {
        why = fmt::format("{}; but the perf backend cannot open it: {}", decision.reason, opened.error().message());
      }
    } else if (decision.backend == "direct") {
      // A kernel-owned CPMU never gets here (decide_backend()).
      DirectBackendOptions direct;
      direct.lock_directories = locks;
      direct.use_interrupts = options.use_interrupts;
      direct.use_freeze = options.use_freeze;
      direct.now = options.monitor.now;
      auto opened = open_direct_backend(*state_->platform, function, cpmu, target.requests, direct);
      if (opened) {
        backend = std::move(*opened);
      } else {
        why = opened.error().message();
      }
    }
    if (!backend) {
      if (target.required) failures += fmt::format("{}{}: cannot count: {}", failures.empty() ? "" : "; ", name, why);
      out.skipped.push_back({target.cpmu, name, why});
      continue;
    }
    MonitoredCpmu m;
    m.identity = cpmu_identity(state_->machine, target.cpmu.function, cpmu, state_->cdat ? &*state_->cdat : nullptr,
                               &state_->topology);
    m.requests = std::move(target.requests);
    m.backend = std::move(backend);
    monitored.push_back(std::move(m));
    out.cpmus.push_back(target.cpmu);
  }
  if (!failures.empty() && !options.keep_going) return Error(Errc::kInvalidArgument, failures);
  // Even with nothing to count the monitor is made: its snapshots are then
  // empty, and a front end still runs its command and prints what was
  // asked for as not supported.
  auto monitor = Monitor::create(std::move(monitored), std::move(options.monitor));
  if (!monitor) return monitor.error();
  out.monitor = std::move(*monitor);
  return out;
}

}  // namespace cpmu
