#include "perf/perf_backend.hpp"

#include <fmt/format.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "util/unique_fd.hpp"

namespace cpmu {

namespace {

using detail::UniqueFd;

constexpr std::uint64_t kReadFormat =
    PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID | PERF_FORMAT_GROUP;

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string own_binary() {
  std::error_code ec;
  char buffer[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string("cpmu");
}

int perf_event_open(perf_event_attr& attr, pid_t pid, int cpu, int group_fd) {
  return static_cast<int>(::syscall(SYS_perf_event_open, &attr, pid, cpu, group_fd, PERF_FLAG_FD_CLOEXEC));
}

// One perf group on one CPU: its leader's fd (which reads the group) and,
// per member in read order, the count it belongs to.
struct GroupOnCpu {
  UniqueFd leader;
  std::vector<UniqueFd> members;  // beyond the leader, kept open
  std::map<std::uint64_t, std::size_t> count_of_id;
  // The kernel reads a group leader first, then members in the order they
  // joined: ids[k] and counts[k] for the k-th value (checked on every read,
  // count_of_id looked up only if the order ever differs).
  std::vector<std::uint64_t> ids;
  std::vector<std::size_t> counts;
  std::size_t size = 0;  // events in the group
};

// Per count and CPU: the kernel's last total, for the lap check.
struct Progress {
  std::uint64_t kernel_last = 0;
  std::uint64_t total = 0;
  std::uint64_t enabled = 0;
  std::uint64_t running = 0;
};

class PerfBackend final : public CounterBackend {
 public:
  PerfBackend(std::string pmu, std::vector<PerfCount> counts, PerfBackendOptions options)
      : pmu_(std::move(pmu)), counts_(std::move(counts)), options_(std::move(options)) {
    if (!options_.now) options_.now = steady_now();
  }

  Status open(const PerfPmu& pmu, std::vector<int> cpus) {
    cpus_ = std::move(cpus);
    plan_.counts.resize(counts_.size());
    std::vector<std::vector<std::size_t>> groups = options_.groups;
    if (groups.empty()) {
      for (std::size_t i = 0; i < counts_.size(); ++i) groups.push_back({i});
    }
    progress_.assign(counts_.size(), std::vector<Progress>(cpus_.size()));
    std::vector<std::string> rejected(counts_.size());
    for (std::size_t i = 0; i < counts_.size(); ++i) rejected[i] = counts_[i].unsupported;
    const std::string where = options_.task ? fmt::format("task {}", *options_.task) : std::string("system-wide");
    for (std::size_t c = 0; c < cpus_.size(); ++c) {
      for (const auto& group : groups) {
        GroupOnCpu g;
        for (std::size_t index : group) {
          if (!rejected[index].empty()) continue;
          perf_event_attr attr{};
          attr.size = sizeof attr;
          attr.type = counts_[index].type.value_or(pmu.type);
          attr.exclude_user = counts_[index].exclude_user ? 1 : 0;
          attr.exclude_kernel = counts_[index].exclude_kernel ? 1 : 0;
          attr.exclude_hv = counts_[index].exclude_hv ? 1 : 0;
          attr.config = counts_[index].config.config;
          attr.config1 = counts_[index].config.config1;
          attr.config2 = counts_[index].config.config2;
          attr.read_format = kReadFormat;
          attr.disabled = g.leader ? 0 : 1;
          const pid_t pid = options_.task ? *options_.task : -1;
          const int fd = perf_event_open(attr, pid, cpus_[c], g.leader ? g.leader.get() : -1);
          if (fd < 0) {
            const int err = errno;
            const std::string what = fmt::format("perf_event_open on {} ({}{})", pmu_, where,
                                                 cpus_[c] >= 0 ? fmt::format(", CPU {}", cpus_[c]) : "");
            if (err == EACCES || err == EPERM) {
              return Error(Errc::kPermissionDenied, perf_permission_message(what, err, options_.paranoid_file));
            }
            if (err == EMFILE || err == ENFILE) {
              return Error(Errc::kIo,
                           fmt::format("{}: {}: raise the open-file limit (ulimit -n)", what, std::strerror(err)));
            }
            if (err == ENODEV && !std::ifstream(pmu.directory + "/type")) {
              return Error(Errc::kDeviceGone, fmt::format("{}: the PMU is gone", what));
            }
            rejected[index] = fmt::format(
                "the kernel's {} driver rejects it ({}: {}){}", pmu_, counts_[index].label, std::strerror(err),
                err == EINVAL   ? ": no counter of this PMU can count it, or all are busy"
                : err == ENOENT ? ": no PMU of this kernel counts it (a VM without a virtual PMU has no cpu PMU)"
                                : "");
            continue;
          }
          std::uint64_t id = 0;
          if (::ioctl(fd, PERF_EVENT_IOC_ID, &id) != 0) {
            ::close(fd);
            return Error(Errc::kIo, fmt::format("{}: PERF_EVENT_IOC_ID: {}", pmu_, std::strerror(errno)));
          }
          g.count_of_id[id] = index;
          g.ids.push_back(id);
          g.counts.push_back(index);
          ++g.size;
          if (!g.leader) {
            g.leader = UniqueFd(fd);
          } else {
            g.members.emplace_back(fd);
          }
        }
        if (g.leader) groups_.push_back({c, std::move(g)});
      }
    }
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      PlannedCount& p = plan_.counts[i];
      if (!rejected[i].empty()) {
        p.placement = Placement::kNotSupported;
        p.reason = rejected[i];
        continue;
      }
      p.placement = Placement::kConfigurable;
      p.reason = fmt::format("the kernel's {} driver places it (perf_event_open {}{})", pmu_, where,
                             cpus_.size() == 1 && cpus_[0] >= 0 ? fmt::format(" on CPU {}", cpus_[0]) : "");
      if (!counts_[i].doubt.empty()) p.reason += "; " + counts_[i].doubt;
    }
    return Status{};
  }

  std::string_view kind() const override { return "perf"; }
  const CountPlan& plan() const override { return plan_; }

  Status start() override {
    for (auto& [cpu, g] : groups_) {
      if (::ioctl(g.leader.get(), PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP) != 0 ||
          ::ioctl(g.leader.get(), PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) != 0) {
        return Error(Errc::kIo, fmt::format("{}: enabling a perf group: {}", pmu_, std::strerror(errno)));
      }
    }
    for (auto& per_cpu : progress_) std::fill(per_cpu.begin(), per_cpu.end(), Progress{});
    laps_removed_.assign(counts_.size(), 0);
    started_ = true;
    return Status{};
  }

  Status stop() override {
    if (!started_) return Status{};
    Status last = update();
    for (auto& [cpu, g] : groups_) ::ioctl(g.leader.get(), PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
    started_ = false;
    return last;
  }

  Result<CountSample> read() override {
    if (started_) {
      if (Status s = update(); !s) return s.error();
    }
    CountSample sample;
    sample.timestamp_ns = options_.now();
    sample.values.resize(counts_.size());
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      CountValue& v = sample.values[i];
      if (plan_.counts[i].placement == Placement::kNotSupported) {
        v.state = CountState::kNotSupported;
        continue;
      }
      for (const Progress& p : progress_[i]) {
        v.raw += p.total;
        v.time_enabled_ns += p.enabled;
        v.time_running_ns += p.running;
      }
      v.state = v.time_running_ns > 0 ? CountState::kCounted : CountState::kNotCounted;
      if (!counts_[i].doubt.empty()) {
        v.trusted = false;
        v.doubt = counts_[i].doubt;
      }
      if (laps_removed_[i] > 0) {
        v.note = fmt::format(
            "the kernel's {} driver counted {} lap{} of 2^{} twice (an overflow interrupt after a read, facts "
            "2.9); each lap is counted once here",
            pmu_, laps_removed_[i], laps_removed_[i] == 1 ? "" : "s", *options_.counter_width);
      }
    }
    return sample;
  }

  std::vector<int> service_fds() const override { return {}; }
  Status service() override { return started_ && lap_check() ? update() : Status{}; }
  std::chrono::nanoseconds service_period() const override {
    return lap_check() ? kPerfLapPollPeriod : std::chrono::nanoseconds(0);
  }

 private:
  bool lap_check() const { return options_.counter_width && *options_.counter_width < 64; }

  // One read() per group and CPU.
  Status update() {
    for (auto& [cpu, g] : groups_) {
      if (buffer_.size() < 3 + 2 * g.size) buffer_.resize(3 + 2 * g.size);
      std::uint64_t* buffer = buffer_.data();
      const ssize_t want = static_cast<ssize_t>((3 + 2 * g.size) * sizeof(std::uint64_t));
      const ssize_t got = ::read(g.leader.get(), buffer, static_cast<std::size_t>(want));
      if (got != want) {
        if (got < 0 && errno == ENODEV) return Error(Errc::kDeviceGone, fmt::format("{}: the PMU is gone", pmu_));
        return Error(got == 0 ? Errc::kDeviceGone : Errc::kIo,
                     fmt::format("{}: reading a perf group: {}", pmu_,
                                 got < 0 ? std::strerror(errno) : fmt::format("{} of {} bytes", got, want)));
      }
      const std::uint64_t nr = buffer[0];
      for (std::uint64_t k = 0; k < nr && k < g.size; ++k) {
        const std::uint64_t id = buffer[3 + 2 * k + 1];
        std::size_t index = g.counts[k];
        if (g.ids[k] != id) {
          auto it = g.count_of_id.find(id);
          if (it == g.count_of_id.end()) continue;
          index = it->second;
        }
        Progress& p = progress_[index][cpu];
        const std::uint64_t value = buffer[3 + 2 * k];
        std::uint64_t delta = value - p.kernel_last;
        if (lap_check()) {
          const unsigned width = *options_.counter_width;
          // Between two reads less than one lap passes (they are at most
          // kPerfLapPollPeriod apart), so whole laps in the kernel's delta
          // are laps it added twice.
          laps_removed_[index] += delta >> width;
          delta &= (std::uint64_t{1} << width) - 1;
        }
        p.total += delta;
        p.kernel_last = value;
        p.enabled = buffer[1];
        p.running = buffer[2];
      }
    }
    return Status{};
  }

  std::string pmu_;
  std::vector<PerfCount> counts_;
  PerfBackendOptions options_;
  std::vector<int> cpus_;
  CountPlan plan_;
  std::vector<std::pair<std::size_t, GroupOnCpu>> groups_;  // (CPU index, group)
  std::vector<std::vector<Progress>> progress_;             // [count][CPU index]
  std::vector<std::uint64_t> laps_removed_;
  std::vector<std::uint64_t> buffer_;  // one group's read(), kept to spare an allocation per sample
  bool started_ = false;
};

}  // namespace

std::string perf_permission_message(const std::string& what, int error_number, const std::string& paranoid_file) {
  std::string paranoid = first_line(paranoid_file);
  if (paranoid.empty()) paranoid = "unknown";
  return fmt::format(
      "{}: {}: kernel.perf_event_paranoid is {}, and counting system-wide needs it at most 0, or CAP_PERFMON (or "
      "root). Fix one of: sudo sysctl -w kernel.perf_event_paranoid=0; sudo setcap cap_perfmon+ep {}; run as root",
      what, std::strerror(error_number), paranoid, own_binary());
}

Result<std::unique_ptr<CounterBackend>> open_perf_backend(const PerfPmu& pmu, std::vector<PerfCount> counts,
                                                          PerfBackendOptions options) {
  std::vector<int> cpus;
  if (options.task) {
    cpus = {-1};
  } else if (!pmu.cpus.empty()) {
    cpus.assign(pmu.cpus.begin(), pmu.cpus.end());
  } else {
    // A PMU that names no CPU counts on each: system-wide is every online one.
    std::ifstream in(options.online_cpus);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto online = parse_cpu_list(text);
    if (!online || online->empty()) {
      return Error(Errc::kIo, fmt::format("{}: cannot list the online CPUs", options.online_cpus));
    }
    cpus.assign(online->begin(), online->end());
  }
  for (const auto& group : options.groups) {
    for (std::size_t index : group) {
      if (index >= counts.size()) return Error(Errc::kInvalidArgument, "a perf group names a count that is not there");
    }
  }
  auto backend = std::make_unique<PerfBackend>(pmu.name, std::move(counts), std::move(options));
  if (Status opened = backend->open(pmu, std::move(cpus)); !opened) return opened.error();
  return std::unique_ptr<CounterBackend>(std::move(backend));
}

}  // namespace cpmu
