// Counting: one interface (CounterBackend) for everything that turns event
// requests on one CPMU into exact 64-bit totals. The direct-register backend
// programs the CPMU through MMIO; a perf backend counts through the kernel's
// cxl_pmu driver. The monitor and the front ends see only this interface, so
// both fit without change above it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/events.hpp"
#include "cpmu/export.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

// What one counter is asked to count (perf's cxl_pmu format fields, plus the
// channel/rank/bank filter the kernel does not expose).
struct EventSelection {
  EventCode code;                               // VID, GID, mask (the sum of the mask's events)
  std::uint8_t threshold = 0;
  bool edge = false;
  bool invert = false;
  std::optional<std::uint32_t> hdm_decoder;     // HDM-decoder filter
  std::optional<std::uint32_t> channel_rank_bank;  // channel/rank/bank filter (encoding: see docs)
  bool operator==(const EventSelection&) const = default;
};

struct CountRequest {
  std::string label;          // as the user wrote it ("m2s_req_memrd", "vid=...,gid=...")
  EventSelection event;
  // Requests with the same group are counted together, all or nothing (a
  // perf group, `{a,b}`); the direct backend schedules every request of a
  // CPMU together anyway.
  std::optional<unsigned> group = std::nullopt;
};

// Where a request was placed, and why.
enum class Placement {
  kFixed,          // a fixed-function counter that counts exactly this
  kConfigurable,   // a configurable counter, programmed with an event capability's group
  kFreeRunning,    // a free-running counter that counts exactly this (read-only use)
  kMultiplexed,    // shares configurable counters in rotation; values are scaled estimates
  kNotSupported,   // nothing on this CPMU can count it; `reason` says why
};
CPMU_API std::string_view placement_name(Placement placement);

struct PlannedCount {
  Placement placement = Placement::kNotSupported;
  std::optional<unsigned> counter;           // the counter it uses (for kMultiplexed: its current one)
  std::optional<unsigned> event_capability;  // the Event Capabilities register index it counts through
  std::string reason;                        // why this placement; for kNotSupported, why not
};

struct CountPlan {
  std::vector<PlannedCount> counts;          // one per request, same order
  bool multiplexing = false;
};

enum class CountState {
  kCounted,       // has run; value is a count (scaled if time_running < time_enabled)
  kNotCounted,    // supported, but has not run yet (perf: <not counted>)
  kNotSupported,  // cannot be counted here (perf: <not supported>)
};
CPMU_API std::string_view count_state_name(CountState state);

struct CPMU_API CountValue {
  CountState state = CountState::kNotCounted;
  std::uint64_t raw = 0;               // exact total of the time it was running
  std::uint64_t time_enabled_ns = 0;   // perf semantics: time the request was open and enabled
  std::uint64_t time_running_ns = 0;   // time it was actually on a counter
  // False when the value cannot be vouched for (e.g. a polling gap longer
  // than one wrap of the counter with no interrupt, a stuck or vanished
  // device); `doubt` says why. Every output shows it.
  bool trusted = true;
  std::string doubt;
  // Something worth knowing that casts no doubt, e.g. a doubt withdrawn
  // (a clock counter thought stuck that then advanced).
  std::string note;

  bool operator==(const CountValue&) const = default;

  // raw scaled by enabled/running when multiplexed; nullopt when never running.
  std::optional<double> estimate() const;
};

struct CountSample {
  std::uint64_t timestamp_ns = 0;      // the backend's clock
  std::vector<CountValue> values;      // one per request, same order as the plan
};

class CPMU_API CounterBackend {
 public:
  virtual ~CounterBackend() = default;

  virtual std::string_view kind() const = 0;    // "direct", "perf"
  virtual const CountPlan& plan() const = 0;

  virtual Status start() = 0;    // program every counter and enable; totals start at 0
  virtual Status stop() = 0;     // disable; totals stay readable
  // Exact totals now. A device that vanished gives kDeviceGone; totals read
  // before that stay valid in earlier samples.
  virtual Result<CountSample> read() = 0;

  // Events that need attention (overflow interrupts): pollable fds, readable
  // when service() has work. Empty when the backend only needs polling.
  virtual std::vector<int> service_fds() const = 0;
  // Handles pending interrupts, rotates multiplexed events and polls narrow
  // counters for wraps. Must be called whenever a service fd is readable and
  // at least every service_period().
  virtual Status service() = 0;
  // The longest time between service() calls that keeps totals exact;
  // zero when interrupts alone suffice and nothing is multiplexed.
  virtual std::chrono::nanoseconds service_period() const = 0;
};

// Time source for backends: nanoseconds, monotonic. Tests pass the
// simulator's virtual clock; programs use steady_clock.
using NowFunction = std::function<std::uint64_t()>;
CPMU_API NowFunction steady_now();
// Wall-clock time, nanoseconds since the Unix epoch (system_clock): for
// stamping what is recorded or exported, never for measuring intervals.
CPMU_API NowFunction wall_clock_now();

}  // namespace cpmu
