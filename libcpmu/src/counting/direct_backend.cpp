// DirectBackend: counting through a CPMU's registers (docs/counting.md).
// Composition only: plan_counts() places requests, CpmuDevice touches
// registers, a WrapTracker per request keeps its total, DeviceClock bounds
// how fast counters move, WrapEvidence and InterruptLedger decide what is in
// doubt, InterruptStormDetector watches the interrupt line, StuckClockWatch
// the clock counter, programming_mismatch() what a counter took.
#include "counting/direct_backend.hpp"

#include <algorithm>
#include <bit>
#include <utility>

#include <fmt/format.h>

#include "counting/cpmu_device.hpp"
#include "counting/device_clock.hpp"
#include "counting/interrupt_ledger.hpp"
#include "counting/interrupt_storm_detector.hpp"
#include "counting/programming_check.hpp"
#include "counting/stuck_clock_watch.hpp"
#include "counting/wrap_evidence.hpp"
#include "counting/wrap_tracker.hpp"
#include "cpmu/cpmu_lock.hpp"
#include "cpmu/ownership.hpp"
#include "cpmu/regs/cpmu.hpp"
#include "cxl/interrupt_routing.hpp"

namespace cpmu {
namespace {

namespace reg = regs::cpmu;

using Ns = std::chrono::nanoseconds;

std::uint64_t since(std::uint64_t later, std::uint64_t earlier) { return later > earlier ? later - earlier : 0; }

bool is_clock_ticks(const EventSelection& e) {
  EventSelection clock;
  clock.code = EventCode{kCxlVendorId, reg::event_group::kClockTicks, 1u << reg::event_bit::kClockTicks};
  return e == clock;
}

// One request and everything known about its count.
struct Slot {
  Slot(CountRequest r, unsigned width, const PlannedCount& p)
      : request(std::move(r)),
        tracker(width),
        placement(p.placement),
        event_capability(p.event_capability.value_or(0)) {}

  CountRequest request;
  WrapTracker tracker;
  Placement placement = Placement::kNotSupported;
  unsigned event_capability = 0;   // the group index a configurable counter gets
  unsigned per_cycle = 1;          // the most it can advance per device cycle
  bool interrupt_tracked = false;  // wraps announced by overflow interrupts
  bool on_counter = false;
  bool ever_on = false;
  std::uint64_t on_since_ns = 0;
  std::uint64_t running_ns = 0;  // time on a counter before on_since_ns
  // The last values read were read between these two instants.
  std::uint64_t observed_from_ns = 0;
  std::uint64_t observed_to_ns = 0;
  std::uint64_t frozen_ns = 0;           // time frozen by reads (freeze_reads) while on a counter
  std::uint64_t previous_increment = 0;  // the last step, for WrapEvidence
  std::uint64_t previous_gap_ns = 0;
  std::string doubt;  // why its value cannot be vouched for; sticky

  void add_doubt(std::string why) {
    if (doubt.empty()) doubt = std::move(why);
  }
};

class DirectBackend final : public CounterBackend {
 public:
  DirectBackend(std::string where, CpmuLock lock, std::unique_ptr<Mmio> mmio, CpmuCapabilities caps,
                std::vector<CountRequest> requests, std::unique_ptr<InterruptSource> interrupts,
                DirectBackendOptions options)
      : where_(std::move(where)),
        lock_(std::move(lock)),
        device_(std::move(mmio), std::move(caps)),
        interrupts_(std::move(interrupts)),
        now_(options.now ? std::move(options.now) : steady_now()),
        rotation_period_(options.rotation_period),
        freeze_(options.use_freeze && device_.capabilities().freeze),
        freeze_reads_(freeze_ && options.freeze_reads) {
    const CpmuCapabilities& c = device_.capabilities();
    plan_ = plan_counts(c, requests);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const PlannedCount& p = plan_.counts[i];
      Slot slot(std::move(requests[i]), c.counter_width, p);
      slot.per_cycle = max_increments_per_cycle(slot.request.event);
      // Free-running counters are never written, so never asked to interrupt.
      slot.interrupt_tracked = interrupts_ && p.placement != Placement::kFreeRunning;
      if (p.placement == Placement::kMultiplexed) pool_.push_back(i);
      if (p.placement != Placement::kNotSupported && p.placement != Placement::kMultiplexed) {
        used_mask_ |= 1ULL << *p.counter;
        if (!clock_slot_ && is_clock_ticks(slot.request.event)) clock_slot_ = i;
      }
      slots_.push_back(std::move(slot));
    }
    for (unsigned n = 0; n < c.counters.size(); ++n) {
      if (!pool_.empty() && c.counters[n].type == CounterType::kConfigurable) {
        pool_counters_.push_back(n);
        pool_mask_ |= 1ULL << n;
      }
    }
    used_mask_ |= pool_mask_;
  }

  ~DirectBackend() override {
    if (running_) static_cast<void>(stop());
  }

  std::string_view kind() const override { return "direct"; }
  const CountPlan& plan() const override { return plan_; }

  Status start() override;
  Status stop() override;
  Result<CountSample> read() override;
  std::vector<int> service_fds() const override {
    return interrupts_ ? std::vector<int>{interrupts_->fd()} : std::vector<int>{};
  }
  Status service() override;
  Ns service_period() const override;

 private:
  const CpmuCapabilities& caps() const { return device_.capabilities(); }
  Error gone_error() const {
    return Error(Errc::kDeviceGone,
                 fmt::format("{}: the device is gone (its CPMU registers read all ones); totals read before stay valid",
                             where_));
  }
  bool polled(const Slot& s) const { return !s.interrupt_tracked || storm_.raging(); }
  bool any_polled() const {
    return std::any_of(slots_.begin(), slots_.end(),
                       [&](const Slot& s) { return s.placement != Placement::kNotSupported && polled(s); });
  }
  bool writable_frozen() const { return freeze_ && caps().writable_when_frozen; }

  CounterProgram program_for(const Slot& s, unsigned counter, bool enable) const;
  void program_counter(Slot& s, unsigned counter, bool frozen);
  void check_free_running(Slot& s, unsigned counter);
  void check_zeroed(Slot& s, unsigned counter, std::uint64_t value, bool frozen, std::uint64_t since_ns);
  void place(std::size_t slot, unsigned counter, std::uint64_t t0, std::uint64_t t1);
  void rebuild_active();
  Result<std::uint64_t> take_interrupts();
  // Freeze the counters of `freeze_mask` (none: a race-free unfrozen read),
  // snapshot the active counters, and (unless keep_frozen) unfreeze.
  Status snapshot(std::uint64_t freeze_mask, bool keep_frozen, std::uint64_t& t0, std::uint64_t& t1);
  Status account(std::uint64_t t0, std::uint64_t t1, std::uint64_t interrupts_before);
  void judge_step(std::size_t index, const WrapTracker::Step& step, const WrapEvidence& evidence, bool overflowed,
                  std::uint64_t at_ns);
  Status observe(std::uint64_t interrupts_before);
  Status rotate(std::uint64_t interrupts_before);
  std::string rate_bound_text(const Slot& s) const;
  std::string frozen_loss_text(const Slot& s) const;

  std::string where_;
  CpmuLock lock_;
  CpmuDevice device_;
  std::unique_ptr<InterruptSource> interrupts_;
  NowFunction now_;
  Ns rotation_period_;
  bool freeze_;        // Freeze is used to program and rotate
  bool freeze_reads_;  // ... and for every sample
  CountPlan plan_;
  std::vector<Slot> slots_;
  std::vector<std::size_t> pool_;          // multiplexed slots, in request order
  std::vector<unsigned> pool_counters_;    // the configurable counters they share
  std::size_t rotation_start_ = 0;         // pool_ index on pool_counters_[0]
  std::vector<unsigned> active_counters_;  // what a snapshot reads
  std::vector<std::size_t> active_slots_;  // the slot on each of them
  std::uint64_t announced_ = 0;            // their bits an overflow interrupt stands for
  std::uint64_t used_mask_ = 0;
  std::uint64_t pool_mask_ = 0;            // pool_counters_ as a mask
  std::optional<std::size_t> clock_slot_;  // a plain clock_ticks count, never rotated
  CpmuSnapshot snap_;
  DeviceClock clock_;
  InterruptLedger ledger_;
  InterruptStormDetector storm_;
  StuckClockWatch stuck_;
  bool running_ = false;
  bool gone_ = false;
  std::uint64_t start_ns_ = 0;
  std::uint64_t last_observation_ns_ = 0;
  std::uint64_t last_rotation_ns_ = 0;
};

CounterProgram DirectBackend::program_for(const Slot& s, unsigned counter, bool enable) const {
  const EventSelection& e = s.request.event;
  const CounterInfo& info = caps().counters[counter];
  CounterProgram p;
  p.enable = enable;
  p.interrupt_on_overflow = enable && s.interrupt_tracked;
  // Freeze-on-overflow stays off: a frozen CPMU loses events until software
  // unfreezes it, and exact totals need no freeze at the wrap.
  p.freeze_on_overflow = false;
  p.edge = e.edge;
  p.invert = e.invert;
  p.threshold = e.threshold;
  if (info.type == CounterType::kConfigurable) {
    p.events = e.code.mask;
    // The matching capability's own index: the kernel always writes 0 here
    // (facts §2.7) and so counts the wrong group on some devices.
    p.event_group_index = s.event_capability;
  } else {
    // Read-only on a fixed counter; written as they read, so the word says
    // what the counter counts.
    p.events = info.events;
    p.event_group_index = info.event_group_index;
  }
  if (e.hdm_decoder) p.filters[reg::filter::kHdmDecoder] = *e.hdm_decoder;
  if (e.channel_rank_bank) p.filters[reg::filter::kChannelRankBank] = *e.channel_rank_bank;
  return p;
}

// Programs, then reads back: a counter that did not take its program counts
// something else, and its values say so.
void DirectBackend::program_counter(Slot& s, unsigned counter, bool frozen) {
  const CounterProgram program = program_for(s, counter, true);
  if (frozen) {
    device_.program(counter, program);
  } else {
    // Running: stop it before the filters and value change under it.
    CounterProgram off = program;
    off.enable = false;
    off.interrupt_on_overflow = false;
    device_.program(counter, off);
    device_.write_config(counter, counter_config_word(program));
  }
  if (std::string refused = programming_mismatch(device_, counter, program); !refused.empty()) {
    s.add_doubt(refused + ": its values are not counts of this event as asked");
  }
}

// A free-running counter is read as it is: modifiers or filters someone
// else set on it make it count something other than the request.
void DirectBackend::check_free_running(Slot& s, unsigned counter) {
  if (std::string changed = free_running_changes(device_, counter); !changed.empty()) s.add_doubt(std::move(changed));
}

// A counter just zeroed holds at most what it can have counted since: 0
// while frozen. More proves that the write did not take (a stuck counter).
void DirectBackend::check_zeroed(Slot& s, unsigned counter, std::uint64_t value, bool frozen, std::uint64_t since_ns) {
  const std::uint64_t most = frozen ? 0 : clock_.max_increment(s.per_cycle, since_ns);
  if (value <= most) return;
  s.add_doubt(fmt::format("counter {} read {} right after it was zeroed{}: it ignores writes (stuck?)", counter, value,
                          frozen ? " while frozen" : ""));
}

void DirectBackend::place(std::size_t index, unsigned counter, std::uint64_t t0, std::uint64_t t1) {
  Slot& s = slots_[index];
  s.on_counter = true;
  s.ever_on = true;
  s.on_since_ns = t1;
  s.observed_from_ns = t0;
  s.observed_to_ns = t1;
  s.previous_increment = s.previous_gap_ns = 0;
  plan_.counts[index].counter = counter;
}

void DirectBackend::rebuild_active() {
  active_counters_.clear();
  active_slots_.clear();
  announced_ = 0;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].on_counter) continue;
    const unsigned counter = *plan_.counts[i].counter;
    active_counters_.push_back(counter);
    active_slots_.push_back(i);
    if (slots_[i].interrupt_tracked) announced_ |= 1ULL << counter;
  }
}

Result<std::uint64_t> DirectBackend::take_interrupts() {
  if (!interrupts_) return std::uint64_t{0};
  Result<std::uint64_t> taken = interrupts_->consume();
  if (!taken) return taken.error().context(where_);
  return taken;
}

Status DirectBackend::start() {
  if (gone_) return gone_error();
  if (running_) {
    if (Status s = stop(); !s) return s;
  }
  for (Slot& s : slots_) {
    s.tracker.reset();
    s.on_counter = s.ever_on = false;
    s.running_ns = 0;
    s.frozen_ns = 0;
    s.previous_increment = s.previous_gap_ns = 0;
    s.doubt.clear();
  }
  storm_.reset();
  ledger_.reset();
  clock_.reset();
  if (Result<std::uint64_t> stale = take_interrupts(); !stale) return stale.error();

  const std::uint64_t t0 = now_();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Placement placement = slots_[i].placement;
    if (placement == Placement::kMultiplexed) plan_.counts[i].counter.reset();
    if (placement != Placement::kNotSupported && placement != Placement::kMultiplexed) {
      place(i, *plan_.counts[i].counter, t0, t0);
    }
  }
  rotation_start_ = 0;
  for (std::size_t k = 0; k < pool_counters_.size(); ++k) place(pool_[k], pool_counters_[k], t0, t0);
  rebuild_active();

  // Without writable-when-frozen, counters are programmed running and
  // frozen only for the baseline.
  const bool frozen = writable_frozen();
  if (frozen) device_.write_freeze(used_mask_);
  for (std::size_t i = 0; i < active_slots_.size(); ++i) {
    Slot& s = slots_[active_slots_[i]];
    if (s.placement == Placement::kFreeRunning) {
      check_free_running(s, active_counters_[i]);
    } else {
      program_counter(s, active_counters_[i], frozen);
    }
  }
  if (freeze_ && !frozen) device_.write_freeze(used_mask_);
  // The baseline: free-running start values, proof that the rest took 0,
  // and stale overflow bits cleared.
  device_.snapshot(active_counters_, freeze_, snap_);
  if (freeze_) device_.write_freeze(0);
  const std::uint64_t t1 = now_();
  if (snap_.device_gone) {
    gone_ = true;
    return gone_error();
  }
  for (std::size_t i = 0; i < active_slots_.size(); ++i) {
    Slot& s = slots_[active_slots_[i]];
    const std::uint64_t value = snap_.values[i];
    if (s.placement == Placement::kFreeRunning) {
      s.tracker.rebase(value);
    } else {
      check_zeroed(s, active_counters_[i], value, frozen, since(t1, t0));
      // A counter that kept its old value counts from there; one that
      // merely counted since it was zeroed keeps those events.
      s.tracker.rebase(frozen || !s.doubt.empty() ? value : 0);
    }
    s.on_since_ns = s.observed_to_ns = t1;
  }
  start_ns_ = last_observation_ns_ = last_rotation_ns_ = t1;
  stuck_.reset(t1);
  running_ = true;
  return {};
}

Status DirectBackend::stop() {
  if (!running_) return {};
  Status final_read = gone_ ? Status{} : observe(0);
  running_ = false;
  for (std::size_t index : active_slots_) {
    Slot& s = slots_[index];
    s.running_ns += since(last_observation_ns_, s.on_since_ns);
    s.on_counter = false;
  }
  if (gone_) return {};  // nothing left to disable
  for (std::size_t i = 0; i < active_slots_.size(); ++i) {
    if (slots_[active_slots_[i]].placement == Placement::kFreeRunning) continue;
    device_.write_config(active_counters_[i],
                         counter_config_word(program_for(slots_[active_slots_[i]], active_counters_[i], false)));
  }
  device_.clear_overflow(used_mask_);
  if (Result<std::uint64_t> late = take_interrupts(); !late) return late.error();
  return final_read;
}

Status DirectBackend::snapshot(std::uint64_t freeze_mask, bool keep_frozen, std::uint64_t& t0, std::uint64_t& t1) {
  t0 = now_();
  if (freeze_mask != 0) device_.write_freeze(freeze_mask);
  device_.snapshot(active_counters_, freeze_mask == used_mask_, snap_);
  if (snap_.device_gone) {
    gone_ = true;
    return gone_error();
  }
  if (freeze_mask != 0 && !keep_frozen) device_.write_freeze(0);
  t1 = now_();
  if (freeze_reads_) {
    // Events while frozen are lost: the time is kept to estimate how many.
    for (std::size_t index : active_slots_) slots_[index].frozen_ns += since(t1, t0);
  }
  return {};
}

// "255 per cycle of a clock of at most 1000 MHz (measured)"
std::string DirectBackend::rate_bound_text(const Slot& s) const {
  return fmt::format("{} per cycle of a clock of at most {:.0f} MHz{}", s.per_cycle,
                     static_cast<double>(clock_.bound_hz()) / 1e6, clock_.measured() ? " (measured)" : " (assumed)");
}

std::string DirectBackend::frozen_loss_text(const Slot& s) const {
  const std::uint64_t running = s.running_ns + (s.on_counter ? since(last_observation_ns_, s.on_since_ns) : 0);
  return frozen_loss_doubt(s.tracker.total(), running, s.frozen_ns);
}

// What a step's evidence says (WrapEvidence): doubt only where the counter
// can have wrapped once more than was accounted. For a polled counter the
// fit of a second lap is enough; an interrupting one in which a second lap
// fits becomes a suspect, and the interrupts decide (InterruptLedger).
void DirectBackend::judge_step(std::size_t index, const WrapTracker::Step& step, const WrapEvidence& evidence,
                               bool overflowed, std::uint64_t at_ns) {
  Slot& s = slots_[index];
  if (!overflowed || !step.ambiguous) return;  // no wrap, or the hard bound rules a second lap out
  if (polled(s)) {
    const auto lap = static_cast<std::uint64_t>(clock_.lap_time(evidence.width, s.per_cycle).count());
    return s.add_doubt(polled_wrap_doubt(evidence, lap, rate_bound_text(s)));
  }
  if (second_lap_plausible(evidence)) ledger_.suspect(index, evidence, at_ns);
}

Status DirectBackend::account(std::uint64_t t0, std::uint64_t t1, std::uint64_t interrupts_before) {
  const std::uint64_t wrapped = snap_.overflow & announced_;
  // Interrupts raised by the wraps this snapshot saw, or owed to a suspect,
  // belong to it. Otherwise they are left for service(), which the fd wakes
  // anyway: a plain read then costs no system call.
  const bool settling = interrupts_before > 0 || wrapped != 0 || ledger_.has_suspects();
  std::uint64_t interrupts = interrupts_before;
  if (settling) {
    Result<std::uint64_t> taken = take_interrupts();
    if (!taken) return taken.error();
    interrupts += *taken;
  }
  for (std::size_t i = 0; i < active_slots_.size(); ++i) {
    Slot& s = slots_[active_slots_[i]];
    const unsigned counter = active_counters_[i];
    const bool overflowed = ((snap_.overflow >> counter) & 1) != 0;
    WrapEvidence evidence;
    evidence.width = caps().counter_width;
    evidence.gap_ns = since(t1, s.observed_from_ns);
    evidence.counted_before = s.tracker.total();
    evidence.running_before_ns = s.running_ns + since(s.observed_to_ns, s.on_since_ns);
    evidence.previous_increment = s.previous_increment;
    evidence.previous_gap_ns = s.previous_gap_ns;
    // The bound matters only with the overflow bit set, which is rare.
    const WrapTracker::Step step = s.tracker.observe(
        snap_.values[i], overflowed, overflowed ? clock_.max_increment(s.per_cycle, evidence.gap_ns) : 0);
    evidence.increment = step.increment;
    judge_step(active_slots_[i], step, evidence, overflowed, t1);
    if (clock_slot_ && active_slots_[i] == *clock_slot_) stuck_.observe(step.increment > 0, t0, t1, counter);
    s.observed_from_ns = t0;
    s.observed_to_ns = t1;
    s.previous_increment = step.increment;
    s.previous_gap_ns = evidence.gap_ns;
  }
  if (storm_.raging()) {
    storm_.record_unexamined(interrupts);
  } else if (settling) {
    const InterruptLedger::Settlement settled =
        ledger_.settle(interrupts, static_cast<std::uint64_t>(std::popcount(wrapped)),
                       static_cast<std::uint64_t>(std::popcount(announced_)), t1);
    for (const InterruptLedger::Doubted& d : settled.doubted) {
      slots_[d.counter].add_doubt(
          coalesced_wrap_doubt(d.evidence, settled.unexplained, rate_bound_text(slots_[d.counter])));
    }
    // Spurious only with no suspect and no interrupting counter's bit set.
    if (settled.spurious) storm_.record(settled.unexplained, since(t1, start_ns_));
  }
  if (clock_slot_ && slots_[*clock_slot_].doubt.empty() && stuck_.doubt().empty()) {
    clock_.calibrate(slots_[*clock_slot_].tracker.total(), since(t0, start_ns_));
  }
  last_observation_ns_ = t1;
  return {};
}

Status DirectBackend::observe(std::uint64_t interrupts_before) {
  std::uint64_t t0 = 0, t1 = 0;
  if (Status s = snapshot(freeze_reads_ ? used_mask_ : 0, false, t0, t1); !s) return s;
  return account(t0, t1, interrupts_before);
}

// The multiplexed requests on the counters make way for the next ones, all
// in one freeze where the CPMU allows writes while frozen.
Status DirectBackend::rotate(std::uint64_t interrupts_before) {
  const bool frozen = writable_frozen();
  // Only the counters that change hands are frozen (unless every read
  // freezes): the others count on.
  const std::uint64_t freeze_mask = freeze_reads_ ? used_mask_ : frozen ? pool_mask_ : 0;
  std::uint64_t t0 = 0, t1 = 0;
  if (Status s = snapshot(freeze_mask, frozen, t0, t1); !s) return s;
  if (Status s = account(t0, t1, interrupts_before); !s) return s;
  const std::size_t m = pool_counters_.size();
  for (std::size_t k = 0; k < m; ++k) {
    Slot& out = slots_[pool_[(rotation_start_ + k) % pool_.size()]];
    out.running_ns += since(t1, out.on_since_ns);
    out.on_counter = false;
    plan_.counts[pool_[(rotation_start_ + k) % pool_.size()]].counter.reset();
  }
  rotation_start_ = (rotation_start_ + m) % pool_.size();
  for (std::size_t k = 0; k < m; ++k) {
    const std::size_t index = pool_[(rotation_start_ + k) % pool_.size()];
    program_counter(slots_[index], pool_counters_[k], frozen);
    slots_[index].tracker.rebase(0);
    place(index, pool_counters_[k], t0, t1);
  }
  if (frozen) {
    // Still frozen, so each must read 0 now.
    for (std::size_t k = 0; k < m; ++k) {
      Slot& s = slots_[pool_[(rotation_start_ + k) % pool_.size()]];
      const std::uint64_t value = device_.read_value(pool_counters_[k]);
      check_zeroed(s, pool_counters_[k], value, true, 0);
      s.tracker.rebase(value);
    }
    device_.write_freeze(0);
  }
  rebuild_active();
  last_rotation_ns_ = t1;
  return {};
}

Result<CountSample> DirectBackend::read() {
  if (gone_) return gone_error();
  if (running_) {
    if (Status s = observe(0); !s) return s.error();
  }
  CountSample sample;
  sample.timestamp_ns = last_observation_ns_;
  sample.values.reserve(slots_.size());
  const std::string storm = storm_.raging() ? storm_.description() : std::string();
  const std::uint64_t enabled = since(last_observation_ns_, start_ns_);
  for (const Slot& s : slots_) {
    CountValue& v = sample.values.emplace_back();
    if (s.placement == Placement::kNotSupported) {
      v.state = CountState::kNotSupported;
      continue;
    }
    v.state = s.ever_on ? CountState::kCounted : CountState::kNotCounted;
    v.raw = s.tracker.total();
    v.time_enabled_ns = enabled;
    v.time_running_ns = s.running_ns + (s.on_counter ? since(last_observation_ns_, s.on_since_ns) : 0);
    std::vector<std::string> doubts;
    for (const std::string& why : {s.doubt, frozen_loss_text(s), storm}) {
      if (!why.empty()) doubts.push_back(why);
    }
    if (clock_slot_ && &s == &slots_[*clock_slot_]) {
      if (!stuck_.doubt().empty()) doubts.push_back(stuck_.doubt());
      v.note = stuck_.note();
    }
    v.doubt = fmt::format("{}", fmt::join(doubts, "; "));
    v.trusted = v.doubt.empty();
  }
  return sample;
}

Status DirectBackend::service() {
  if (gone_) return gone_error();
  Result<std::uint64_t> taken = take_interrupts();
  if (!taken) return taken.error();
  if (!running_) return {};
  const std::uint64_t now = now_();
  const bool storm = storm_.raging();
  bool due = !storm && *taken > 0;  // an overflow to account for
  if (any_polled()) {
    // Polled counters are read at every call (the caller keeps to
    // service_period()); in a storm, no more often than exactness needs,
    // however often the interrupt fires.
    due = due || !storm || since(now, last_observation_ns_) >= static_cast<std::uint64_t>(service_period().count() / 2);
  }
  const bool rotation_due =
      !pool_.empty() && since(now, last_rotation_ns_) >= static_cast<std::uint64_t>(rotation_period_.count());
  if (rotation_due) return rotate(*taken);
  if (due) return observe(*taken);
  if (storm) storm_.record_unexamined(*taken);
  return {};
}

Ns DirectBackend::service_period() const {
  Ns period = Ns::max();
  if (!pool_.empty()) period = rotation_period_;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].placement == Placement::kNotSupported || !polled(slots_[i])) continue;
    // Slack for the time a snapshot itself takes; never below what a thread
    // can keep (a counter that laps faster is flagged when it wraps).
    const Ns lap = clock_.lap_time(caps().counter_width, slots_[i].per_cycle);
    period = std::min(period, std::max(lap - lap / 16, kMinPollingPeriod));
  }
  return period == Ns::max() ? Ns::zero() : period;
}

}  // namespace

Result<std::unique_ptr<CounterBackend>> open_direct_backend(Platform& platform, const DiscoveredFunction& function,
                                                            const Cpmu& cpmu, std::vector<CountRequest> requests,
                                                            DirectBackendOptions options) {
  const PciAddress& address = function.info.address;
  const std::string where = fmt::format("{} CPMU {}", address.to_string(), cpmu.instance);
  if (cpmu.owner.kind == CpmuOwnerKind::kKernel) {
    return Error(Errc::kOwnedByDriver,
                 fmt::format("{}: the kernel's cxl_pmu driver owns this CPMU{}; it is never programmed directly: count "
                             "it through the perf backend (perf PMU {})",
                             where, cpmu.kernel_device.empty() ? "" : " (" + cpmu.kernel_device + ")",
                             cpmu.perf_pmu.empty() ? "cxl_pmu_mem<X>.<Y>, name unknown" : cpmu.perf_pmu));
  }
  if (requests.empty()) return Error(Errc::kInvalidArgument, fmt::format("{}: no events to count", where));
  if (options.rotation_period <= Ns::zero()) {
    return Error(Errc::kInvalidArgument, fmt::format("{}: the rotation period must be positive, got {} ns", where,
                                                     options.rotation_period.count()));
  }
  Result<CpmuLock> lock = CpmuLock::acquire(
      options.lock_directories.empty() ? cpmu_lock_directories() : options.lock_directories, address, cpmu.instance);
  if (!lock) return lock.error();
  Result<std::unique_ptr<Mmio>> mmio = platform.map_bar(address, cpmu.block.bir, cpmu.block.offset, reg::kBlockSize);
  if (!mmio) return mmio.error().context(where);
  Result<CpmuCapabilities> caps = read_cpmu_capabilities(**mmio);
  if (!caps) return caps.error().context(where);
  // Without delivery (Linux: kUnsupported, user space cannot take MSI-X
  // without VFIO) the backend polls; nothing is lost but service() calls.
  std::unique_ptr<InterruptSource> interrupts;
  // A message number beyond the function's vectors (a problem discovery
  // reports) cannot arrive.
  bool routable = true;
  if (Result<std::vector<std::uint8_t>> config = platform.read_config(address, true)) {
    routable = detail::interrupt_routing_problem(ConfigSpace(*config), *caps, cpmu.instance).empty();
  }
  if (options.use_interrupts && caps->interrupt && routable) {
    Result<std::unique_ptr<InterruptSource>> source = platform.interrupt(address, caps->interrupt_message);
    if (source) interrupts = std::move(*source);
  }
  return std::unique_ptr<CounterBackend>(new DirectBackend(where, std::move(*lock), std::move(*mmio), std::move(*caps),
                                                           std::move(requests), std::move(interrupts),
                                                           std::move(options)));
}

}  // namespace cpmu
