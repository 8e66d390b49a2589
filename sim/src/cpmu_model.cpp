// CpmuModel: registers per facts §2.1-2.6; counting is lazy, in closed form
// over the traffic source's cumulative functions (docs/simulator-model.md).
#include "cxlsim/cpmu_model.hpp"

#include <algorithm>
#include <bit>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace cpmu::sim {
namespace {

__extension__ typedef unsigned __int128 Wide;

namespace reg = regs::cpmu;
namespace cfg = regs::cpmu::counter_cfg;

constexpr unsigned kDwBytes = sizeof(std::uint32_t);
constexpr unsigned kQwBytes = sizeof(std::uint64_t);
constexpr regs::Field kLowDw = regs::bits(31, 0);
constexpr regs::Field kHighDw = regs::bits(63, 32);
constexpr unsigned kMaxWidth = 8 * sizeof(std::uint64_t);  // the counter register

// Fields software may write in every counter's configuration register.
constexpr std::uint64_t kCommonWritable = cfg::kEnable.mask() | cfg::kIntOnOverflow.mask() |
                                          cfg::kFreezeOnOverflow.mask() | cfg::kEdge.mask() |
                                          cfg::kInvert.mask() | cfg::kThreshold.mask();
// Only configurable counters choose their events; for fixed-function and
// free-running counters these fields are hard-wired.
constexpr std::uint64_t kConfigurableWritable =
    kCommonWritable | cfg::kEvents.mask() | cfg::kEventGroupIndex.mask();

Status invalid(std::string message) { return Error(Errc::kInvalidArgument, std::move(message)); }

unsigned type_code(CounterKind kind) {
  switch (kind) {
    case CounterKind::kFreeRunning:
      return cfg::kTypeFreeRunning;
    case CounterKind::kFixed:
      return cfg::kTypeFixed;
    case CounterKind::kConfigurable:
      return cfg::kTypeConfigurable;
  }
  return cfg::kTypeConfigurable;
}

bool known_kind(CounterKind kind) {
  return kind == CounterKind::kFreeRunning || kind == CounterKind::kFixed ||
         kind == CounterKind::kConfigurable;
}

std::uint64_t writable_mask(CounterKind kind) {
  return kind == CounterKind::kConfigurable ? kConfigurableWritable : kCommonWritable;
}

bool valid_access(std::uint64_t offset, unsigned size) {
  return (size == kDwBytes || size == kQwBytes) && offset % size == 0 && offset <= reg::kBlockSize - size;
}

// Index of the 8-byte register at `offset` in an array starting at `first`
// and holding `count` registers, or nullopt when outside it.
std::optional<unsigned> index_in(std::uint64_t offset, unsigned first, unsigned count) {
  if (offset < first || offset >= first + std::uint64_t{count} * kQwBytes) return std::nullopt;
  return static_cast<unsigned>((offset - first) / kQwBytes);
}

bool in_filter_block(std::uint64_t offset) {
  return offset >= reg::filter_config(0, 0) && offset < reg::filter_config(reg::kMaxCounters, 0);
}

struct CycleCount {
  std::uint64_t count;
  bool condition;
};

// Cycle-based counting (threshold, edge or invert in use). The events of an
// interval are spread evenly over its cycles: cycle j of C gets
// floor((j+1)E/C) - floor(jE/C) events, that is q = E/C or q+1, the r = E mod C
// cycles with q+1 lying evenly apart. The pattern of those "high" cycles
// starts low, ends high, and forms min(r, C-r) runs (a high cycle is isolated
// when 2r <= C, a low one when 2r > C), which makes edges countable in closed
// form. `previous` is the condition in the cycle before the interval.
CycleCount count_cycles(std::uint64_t events, std::uint64_t cycles, unsigned threshold, bool edge,
                        bool invert, bool previous) {
  enum class Pattern { kNever, kAlways, kHighCycles, kLowCycles };
  const std::uint64_t need = std::max(threshold, 1u);
  const std::uint64_t q = events / cycles;
  const std::uint64_t r = events % cycles;
  Pattern pattern = q >= need                 ? Pattern::kAlways
                    : (q + 1 == need && r > 0) ? Pattern::kHighCycles
                                               : Pattern::kNever;
  if (invert) {
    constexpr Pattern kInverse[] = {Pattern::kAlways, Pattern::kNever, Pattern::kLowCycles,
                                    Pattern::kHighCycles};
    pattern = kInverse[static_cast<int>(pattern)];
  }
  const std::uint64_t runs = std::min(r, cycles - r);
  switch (pattern) {
    case Pattern::kNever:
      return {0, false};
    case Pattern::kAlways:
      return {edge ? (previous ? 0u : 1u) : cycles, true};
    case Pattern::kHighCycles:  // the first cycle is low: every run starts with an edge
      return {edge ? runs : r, true};
    case Pattern::kLowCycles:  // the first cycle is high: it is an edge only after a low one
      return {edge ? runs - (previous ? 1u : 0u) : cycles - r, false};
  }
  return {0, false};
}

}  // namespace

CpmuModel::CpmuModel(CpmuSpec spec, const TrafficSource& traffic, RaiseInterrupt raise)
    : spec_(std::move(spec)), traffic_(&traffic), raise_(std::move(raise)), valid_(validate(spec_).has_value()) {
  if (valid_) counters_.resize(spec_.counters.size());
  reset(0);
}

Status CpmuModel::validate(const CpmuSpec& spec) {
  if (spec.width == 0 || spec.width > kMaxWidth) {
    return invalid(fmt::format("width {} must be in 1..{}", spec.width, kMaxWidth));
  }
  if (spec.event_caps.empty() || spec.event_caps.size() > reg::kMaxEventCaps) {
    return invalid(fmt::format("event_caps has {} entries; a CPMU has 1..{}", spec.event_caps.size(),
                               reg::kMaxEventCaps));
  }
  if (spec.counters.empty() || spec.counters.size() > reg::kMaxCounters) {
    return invalid(fmt::format("counters has {} entries; a CPMU has 1..{}", spec.counters.size(),
                               reg::kMaxCounters));
  }
  if (spec.msi_number > reg::cap::kMsiNumber.max()) {
    return invalid(fmt::format("msi_number {} must be in 0..{}", spec.msi_number, reg::cap::kMsiNumber.max()));
  }
  if (spec.version > reg::cap::kVersion.max()) {
    return invalid(fmt::format("version {} must be in 0..{}", spec.version, reg::cap::kVersion.max()));
  }
  for (std::size_t i = 0; i < spec.counters.size(); ++i) {
    const CounterSpec& counter = spec.counters[i];
    if (!known_kind(counter.kind)) {
      return invalid(fmt::format("counters[{}].kind {} is not a counter kind", i, static_cast<int>(counter.kind)));
    }
    if (counter.event_cap_index >= spec.event_caps.size()) {
      return invalid(fmt::format("counters[{}].event_cap_index {} >= {} event capabilities", i,
                                 counter.event_cap_index, spec.event_caps.size()));
    }
    if (counter.kind == CounterKind::kConfigurable) continue;
    const std::uint32_t supported = spec.event_caps[counter.event_cap_index].mask;
    if (counter.events_mask == 0) {
      return invalid(fmt::format("counters[{}].events_mask must be non-zero for a hard-wired counter", i));
    }
    if ((counter.events_mask & ~supported) != 0) {
      return invalid(fmt::format("counters[{}].events_mask {:#x} is not within event_caps[{}].mask {:#x}", i,
                                 counter.events_mask, counter.event_cap_index, supported));
    }
  }
  return {};
}

void CpmuModel::reset(std::uint64_t now_ns) {
  last_sync_ns_ = now_ns;
  reset_ns_ = now_ns;
  overflow_ = 0;
  freeze_ = 0;
  for (std::size_t n = 0; n < counters_.size(); ++n) {
    const CounterSpec& counter_spec = spec_.counters[n];
    Counter fresh;
    fresh.stuck = counters_[n].stuck;
    fresh.ignored_config = counters_[n].ignored_config;
    fresh.filters.fill(reg::filter::kDisabled);
    if (counter_spec.kind != CounterKind::kConfigurable) {
      fresh.config = cfg::kEvents.make(counter_spec.events_mask) |
                     cfg::kEventGroupIndex.make(counter_spec.event_cap_index);
    }
    counters_[n] = fresh;
  }
}

// ---- registers --------------------------------------------------------------

std::uint64_t CpmuModel::capability() const {
  namespace cap = reg::cap;
  const std::uint64_t filters = (spec_.hdm_filter ? 1ULL << reg::filter::kHdmDecoder : 0) |
                                (spec_.channel_rank_bank_filter ? 1ULL << reg::filter::kChannelRankBank : 0);
  return cap::kNumCounters.make(spec_.counters.size() - 1) | cap::kCounterWidth.make(spec_.width) |
         cap::kNumEventCaps.make(spec_.event_caps.size() - 1) | cap::kFiltersSupported.make(filters) |
         cap::kMsiNumber.make(spec_.msi_number) | cap::kWritableWhenFrozen.make(spec_.writable_when_frozen) |
         cap::kFreeze.make(spec_.freeze) | cap::kInterrupt.make(spec_.interrupt) | cap::kVersion.make(spec_.version);
}

std::uint64_t CpmuModel::counter_config(unsigned n) const {
  return cfg::kType.make(type_code(spec_.counters[n].kind)) | counters_[n].config;
}

std::uint64_t CpmuModel::read_reg64(std::uint64_t offset) const {
  if (offset == reg::kCapability) return capability();
  if (offset == reg::kOverflowStatus) return overflow_;
  if (offset == reg::kFreeze) return freeze_;
  if (auto n = index_in(offset, reg::event_cap(0), reg::kMaxEventCaps)) {
    if (*n >= spec_.event_caps.size()) return 0;
    const EventCapSpec& cap = spec_.event_caps[*n];
    return reg::event_cap_reg::kSupportedEvents.make(cap.mask) | reg::event_cap_reg::kGroupId.make(cap.gid) |
           reg::event_cap_reg::kVendorId.make(cap.vid);
  }
  if (auto n = index_in(offset, reg::counter_config(0), reg::kMaxCounters)) {
    return *n < counters_.size() ? counter_config(*n) : 0;
  }
  if (auto n = index_in(offset, reg::counter_value(0), reg::kMaxCounters)) {
    return *n < counters_.size() ? counters_[*n].value : 0;
  }
  return 0;  // reserved
}

std::uint32_t CpmuModel::read_dw(std::uint64_t offset) const {
  if (in_filter_block(offset)) {
    const std::uint64_t dw = (offset - reg::filter_config(0, 0)) / kDwBytes;
    const std::uint64_t n = dw / reg::kFiltersPerCounter;
    return n < counters_.size() ? counters_[n].filters[dw % reg::kFiltersPerCounter] : 0;
  }
  const std::uint64_t reg64 = offset - offset % kQwBytes;
  const std::uint64_t value = read_reg64(reg64);
  return static_cast<std::uint32_t>(offset == reg64 ? kLowDw.get(value) : kHighDw.get(value));
}

void CpmuModel::write_dw(std::uint64_t offset, std::uint32_t value) {
  if (in_filter_block(offset)) {
    const std::uint64_t dw = (offset - reg::filter_config(0, 0)) / kDwBytes;
    const std::uint64_t n = dw / reg::kFiltersPerCounter;
    if (n >= counters_.size() || locked_by_freeze(static_cast<unsigned>(n))) return;
    counters_[n].filters[dw % reg::kFiltersPerCounter] = value;
    counters_[n].baselined = false;
    return;
  }
  const std::uint64_t reg64 = offset - offset % kQwBytes;
  const bool high = offset != reg64;
  write_reg64(reg64, high ? kHighDw.make(value) : kLowDw.make(value), high ? kHighDw.mask() : kLowDw.mask());
}

void CpmuModel::write_reg64(std::uint64_t offset, std::uint64_t value, std::uint64_t byte_mask) {
  auto merged = [&](std::uint64_t old) { return (old & ~byte_mask) | (value & byte_mask); };
  if (offset == reg::kOverflowStatus) {
    overflow_ &= ~(value & byte_mask);
    return;
  }
  if (offset == reg::kFreeze) {
    if (spec_.freeze) freeze_ = merged(freeze_) & all_counters_mask();
    return;
  }
  if (auto n = index_in(offset, reg::counter_config(0), reg::kMaxCounters)) {
    if (*n >= counters_.size() || locked_by_freeze(*n)) return;
    Counter& counter = counters_[*n];
    const std::uint64_t writable = writable_mask(spec_.counters[*n].kind) & ~counter.ignored_config;
    counter.config = (counter.config & ~writable) | (merged(counter.config) & writable);
    counter.baselined = false;
    return;
  }
  if (auto n = index_in(offset, reg::counter_value(0), reg::kMaxCounters)) {
    if (*n >= counters_.size() || locked_by_freeze(*n) || counters_[*n].stuck) return;
    counters_[*n].value = merged(counters_[*n].value) & width_mask();
  }
  // Everything else is read-only or reserved.
}

std::uint64_t CpmuModel::read(std::uint64_t offset, unsigned size, std::uint64_t now_ns) {
  if (!valid_ || !valid_access(offset, size)) return size == kDwBytes ? kLowDw.max() : ~0ULL;
  sync(now_ns);
  std::uint64_t value = read_dw(offset);
  if (size == kQwBytes) value |= kHighDw.make(read_dw(offset + kDwBytes));
  return value;
}

void CpmuModel::write(std::uint64_t offset, unsigned size, std::uint64_t value, std::uint64_t now_ns) {
  if (!valid_ || !valid_access(offset, size)) return;
  sync(now_ns);
  // A 64-bit write is two DW writes at one instant; that is also how the old
  // kernels' 64-bit write to a filter address lands in two filter registers.
  write_dw(offset, static_cast<std::uint32_t>(kLowDw.get(value)));
  if (size == kQwBytes) write_dw(offset + kDwBytes, static_cast<std::uint32_t>(kHighDw.get(value)));
}

void CpmuModel::set_stuck(unsigned counter, bool stuck) {
  if (counter < counters_.size()) counters_[counter].stuck = stuck;
}

void CpmuModel::set_ignored_config(unsigned counter, std::uint64_t bits) {
  if (counter < counters_.size()) counters_[counter].ignored_config = bits;
}

std::uint64_t CpmuModel::ground_truth(const EventKey& key, const FilterSelection& f, std::uint64_t now_ns) const {
  if (now_ns <= reset_ns_) return 0;
  return traffic_->cumulative(key, f, now_ns) - traffic_->cumulative(key, f, reset_ns_);
}

// ---- counting -----------------------------------------------------------------

std::uint64_t CpmuModel::all_counters_mask() const { return regs::bits(unsigned(counters_.size()) - 1, 0).max(); }

std::uint64_t CpmuModel::width_mask() const { return regs::bits(spec_.width - 1, 0).max(); }

CpmuModel::Residue CpmuModel::residue() const {
  Residue out{0, freeze_, overflow_};
  for (unsigned n = 0; n < counters_.size(); ++n) {
    if (spec_.counters[n].kind != CounterKind::kFreeRunning && cfg::kEnable.get(counters_[n].config) != 0) {
      out.enabled |= 1ULL << n;
    }
  }
  return out;
}

bool CpmuModel::frozen(unsigned n) const { return ((freeze_ >> n) & 1) != 0; }

bool CpmuModel::locked_by_freeze(unsigned n) const { return frozen(n) && !spec_.writable_when_frozen; }

// UNVERIFIED: whether Freeze stops free-running counters. We say it does
// (Freeze exists for consistent snapshots of all counters); free-running
// counters ignore only the enable bit.
bool CpmuModel::counting(unsigned n) const {
  const Counter& counter = counters_[n];
  const bool enabled =
      spec_.counters[n].kind == CounterKind::kFreeRunning || cfg::kEnable.get(counter.config) != 0;
  return enabled && !frozen(n) && !counter.stuck;
}

FilterSelection CpmuModel::filter_selection(unsigned n) const {
  const auto& filters = counters_[n].filters;
  FilterSelection selection;
  const std::uint32_t hdm = filters[reg::filter::kHdmDecoder];
  const std::uint32_t crb = filters[reg::filter::kChannelRankBank];
  if (spec_.hdm_filter && hdm != reg::filter::kDisabled) selection.hdm_decoder = hdm;
  if (spec_.channel_rank_bank_filter && crb != reg::filter::kDisabled) selection.channel_rank_bank = crb;
  return selection;
}

std::uint64_t CpmuModel::selected_events(unsigned n, std::uint64_t t_ns) const {
  const std::uint64_t config = counters_[n].config;
  const std::uint64_t index = cfg::kEventGroupIndex.get(config);
  if (index >= spec_.event_caps.size()) return 0;  // a group that does not exist counts nothing
  const EventCapSpec& cap = spec_.event_caps[index];
  const FilterSelection filters = filter_selection(n);
  std::uint64_t sum = 0;
  for (auto mask = static_cast<std::uint32_t>(cfg::kEvents.get(config)) & cap.mask; mask != 0; mask &= mask - 1) {
    const EventKey key{cap.vid, cap.gid, static_cast<std::uint8_t>(std::countr_zero(mask))};
    sum += traffic_->cumulative(key, filters, t_ns);
  }
  return sum;
}

void CpmuModel::baseline(unsigned n) {
  Counter& counter = counters_[n];
  counter.baselined = true;
  counter.base_events = selected_events(n, last_sync_ns_);
  counter.base_cycles = traffic_->cycles(last_sync_ns_);
  counter.condition = false;
}

CpmuModel::Step CpmuModel::step(unsigned n, std::uint64_t t_ns) const {
  const Counter& counter = counters_[n];
  Step step;
  step.events = selected_events(n, t_ns);
  step.cycles = traffic_->cycles(t_ns);
  const std::uint64_t events = step.events - counter.base_events;
  const auto threshold = static_cast<unsigned>(cfg::kThreshold.get(counter.config));
  const bool edge = cfg::kEdge.get(counter.config) != 0;
  const bool invert = cfg::kInvert.get(counter.config) != 0;
  if (threshold == 0 && !edge && !invert) {
    step.count = events;
    return step;
  }
  const std::uint64_t cycles = step.cycles - counter.base_cycles;
  if (cycles == 0) {
    step.advances = false;
    step.condition = counter.condition;
    return step;
  }
  const CycleCount counted = count_cycles(events, cycles, threshold, edge, invert, counter.condition);
  step.count = counted.count;
  step.condition = counted.condition;
  return step;
}

bool CpmuModel::wraps_by(unsigned n, std::uint64_t t_ns) const {
  return Wide(counters_[n].value) + step(n, t_ns).count > width_mask();
}

// The earliest instant in (last sync, t] at which a counter with
// freeze-on-overflow wraps. Counting is monotone in time in event mode, so
// bisection finds the exact nanosecond; in cycle mode it finds a deterministic
// instant at which the counter has wrapped when synced there.
std::optional<std::uint64_t> CpmuModel::freeze_point(std::uint64_t t_ns) const {
  if (!spec_.freeze) return std::nullopt;
  std::optional<std::uint64_t> earliest;
  for (unsigned n = 0; n < counters_.size(); ++n) {
    if (!counting(n) || cfg::kFreezeOnOverflow.get(counters_[n].config) == 0 || !wraps_by(n, t_ns)) continue;
    std::uint64_t before = last_sync_ns_;
    std::uint64_t at = t_ns;
    while (at - before > 1) {
      const std::uint64_t mid = before + (at - before) / 2;
      (wraps_by(n, mid) ? at : before) = mid;
    }
    earliest = std::min(earliest.value_or(at), at);
  }
  return earliest;
}

// Counts every counting counter from its base to t; returns how many wraps
// ask for an interrupt (a counter can lap many times in one long sync).
std::uint64_t CpmuModel::advance(std::uint64_t t_ns) {
  std::uint64_t interrupts = 0;
  for (unsigned n = 0; n < counters_.size(); ++n) {
    Counter& counter = counters_[n];
    if (!counting(n)) {
      counter.baselined = false;  // restart from the moment it counts again
      continue;
    }
    const Step step_to_t = step(n, t_ns);
    if (step_to_t.advances) {
      counter.base_events = step_to_t.events;
      counter.base_cycles = step_to_t.cycles;
    }
    counter.condition = step_to_t.condition;
    const Wide total = Wide(counter.value) + step_to_t.count;
    counter.value = static_cast<std::uint64_t>(total & width_mask());
    if (total > width_mask()) {
      overflow_ |= 1ULL << n;
      if (spec_.interrupt && cfg::kIntOnOverflow.get(counter.config) != 0) {
        interrupts += static_cast<std::uint64_t>(total >> spec_.width);
      }
    }
  }
  last_sync_ns_ = t_ns;
  return interrupts;
}

void CpmuModel::sync(std::uint64_t now_ns) {
  if (!valid_ || now_ns <= last_sync_ns_) return;
  // Every state change that starts a counter happened at the last sync.
  for (unsigned n = 0; n < counters_.size(); ++n) {
    if (counting(n) && !counters_[n].baselined) baseline(n);
  }
  std::uint64_t interrupts = 0;
  if (const auto at = freeze_point(now_ns)) {
    interrupts = advance(*at);
    freeze_ = all_counters_mask();  // UNVERIFIED: the whole CPMU freezes, not just the counter
  }
  interrupts += advance(now_ns);
  if (interrupts > 0 && raise_) raise_(spec_.msi_number, interrupts);
}

}  // namespace cpmu::sim
