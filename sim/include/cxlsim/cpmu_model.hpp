// CpmuModel: the register block of one CXL Performance Monitoring Unit
// (facts §2), counting events of a TrafficSource lazily in virtual time.
// Register semantics, counting rules and the UNVERIFIED choices are in
// docs/simulator-model.md, section "CPMU model".
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "cpmu/regs/cpmu.hpp"
#include "cpmu/result.hpp"
#include "cxlsim/traffic.hpp"

namespace cpmu::sim {

enum class CounterKind { kFreeRunning, kFixed, kConfigurable };

// For fixed-function and free-running counters, event_cap_index and
// events_mask are the hard-wired (read-only) Event Group ID Index and Events
// fields; configurable counters ignore them and reset to 0.
struct CounterSpec {
  CounterKind kind;
  unsigned event_cap_index = 0;
  std::uint32_t events_mask = 0;
};

struct EventCapSpec {
  std::uint16_t vid;
  std::uint16_t gid;
  std::uint32_t mask;
};

struct CpmuSpec {
  unsigned width;
  std::vector<EventCapSpec> event_caps;
  std::vector<CounterSpec> counters;
  bool hdm_filter;
  bool channel_rank_bank_filter;
  bool interrupt;
  unsigned msi_number;
  bool freeze;
  bool writable_when_frozen;
  unsigned version;
};

// Not internally locked: the owner serialises all calls. Construct only from
// a spec that validate() accepts; an invalid spec yields a block that reads
// all ones and ignores writes.
class CpmuModel {
 public:
  // `wraps` interrupting wraps happened since the last sync: one interrupt
  // each, however long that was (no coalescing, so none is lost).
  using RaiseInterrupt = std::function<void(unsigned msi_number, std::uint64_t wraps)>;

  CpmuModel(CpmuSpec spec, const TrafficSource& traffic, RaiseInterrupt raise);

  // The message names the field: "counters[3].event_cap_index 5 >= 4 event capabilities".
  static Status validate(const CpmuSpec& spec);

  const CpmuSpec& spec() const { return spec_; }

  // Register access at `offset` from the block base; size 4 or 8. An access
  // that is misaligned, of another size or beyond the 0xE00-byte block reads
  // all ones and is ignored on write. Both sync to now_ns first.
  std::uint64_t read(std::uint64_t offset, unsigned size, std::uint64_t now_ns);
  void write(std::uint64_t offset, unsigned size, std::uint64_t value, std::uint64_t now_ns);

  // Counts every counter up to now_ns, sets overflow bits, freezes on
  // overflow and raises one interrupt per wrap of a counter with
  // interrupt-on-overflow, counted in closed form. A time earlier than the last
  // sync is treated as the last sync: model time never runs backwards.
  void sync(std::uint64_t now_ns);

  // Fault: the counter's value stops changing (counting and writes). Takes
  // effect from the last sync; call sync(now) first to start it at now.
  void set_stuck(unsigned counter, bool stuck);
  // Fault: writes to these configuration bits of the counter are ignored.
  void set_ignored_config(unsigned counter, std::uint64_t bits);

  // What the block's owner left behind, without syncing: counters whose
  // Counter Enable bit is set (free-running ones count regardless and are
  // left out), the Freeze and Overflow Status registers.
  struct Residue {
    std::uint64_t enabled = 0;
    std::uint64_t frozen = 0;
    std::uint64_t overflow = 0;
  };
  Residue residue() const;

  // Registers back to their reset values at now_ns (stuck faults persist);
  // ground truth restarts there. The constructor resets at time 0.
  void reset(std::uint64_t now_ns);

  // Events of `key` matching `f` in (reset, now_ns]: what a perfect counter
  // started at reset would hold.
  std::uint64_t ground_truth(const EventKey& key, const FilterSelection& f,
                             std::uint64_t now_ns) const;

 private:
  struct Counter {
    std::uint64_t config = 0;  // every field but the type, reserved bits 0
    std::array<std::uint32_t, regs::cpmu::kFiltersPerCounter> filters{};
    std::uint64_t value = 0;
    // Counting state: the selected events and cycles already accounted for.
    bool baselined = false;
    std::uint64_t base_events = 0;
    std::uint64_t base_cycles = 0;
    bool condition = false;  // edge detector: condition in the last accounted cycle
    bool stuck = false;
    std::uint64_t ignored_config = 0;   // fault: bits whose writes do not stick
  };

  // What counting a counter from its base up to some time yields.
  struct Step {
    std::uint64_t count = 0;
    bool advances = true;  // false: no whole cycle elapsed, the events stay pending
    bool condition = false;
    std::uint64_t events = 0;
    std::uint64_t cycles = 0;
  };

  std::uint64_t capability() const;
  std::uint64_t counter_config(unsigned n) const;
  std::uint64_t read_reg64(std::uint64_t offset) const;
  std::uint32_t read_dw(std::uint64_t offset) const;
  void write_reg64(std::uint64_t offset, std::uint64_t value, std::uint64_t byte_mask);
  void write_dw(std::uint64_t offset, std::uint32_t value);

  std::uint64_t all_counters_mask() const;
  std::uint64_t width_mask() const;
  bool frozen(unsigned n) const;
  bool counting(unsigned n) const;
  bool locked_by_freeze(unsigned n) const;
  FilterSelection filter_selection(unsigned n) const;
  std::uint64_t selected_events(unsigned n, std::uint64_t t_ns) const;
  Step step(unsigned n, std::uint64_t t_ns) const;
  bool wraps_by(unsigned n, std::uint64_t t_ns) const;
  void baseline(unsigned n);
  std::optional<std::uint64_t> freeze_point(std::uint64_t t_ns) const;
  std::uint64_t advance(std::uint64_t t_ns);

  CpmuSpec spec_;
  const TrafficSource* traffic_;
  RaiseInterrupt raise_;
  bool valid_;
  std::vector<Counter> counters_;
  std::uint64_t overflow_ = 0;
  std::uint64_t freeze_ = 0;
  std::uint64_t last_sync_ns_ = 0;
  std::uint64_t reset_ns_ = 0;
};

}  // namespace cpmu::sim
