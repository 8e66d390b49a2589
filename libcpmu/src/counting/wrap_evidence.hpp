// WrapEvidence: what says that a counter's step between two snapshots may be
// short by whole laps, and the doubt in words. One Overflow Status bit stands
// for one or more wraps; the backend decides between them on evidence only:
//   - the hard bound (DeviceClock): if no second lap fits in the gap at the
//     device's fastest rate, the step is exact whatever else happened;
//   - for polled counters, nothing else: if a second lap fits, it is doubted;
//   - for interrupting counters, one interrupt per wrap: interrupts that the
//     wraps seen do not explain (InterruptLedger) fall on the counters whose
//     bit was set and in which a second lap fits;
//   - and the counter's own observed rate says how many laps may be missing.
// The observed rate is not evidence on its own: traffic that drops from 20
// to 4 M/s makes the average promise laps that never came, a false alarm.
#pragma once

#include <cstdint>
#include <string>

namespace cpmu {

struct WrapEvidence {
  unsigned width = 0;
  std::uint64_t gap_ns = 0;             // from the start of the last read of the counter to the end of this one
  std::uint64_t increment = 0;          // what the tracker accounted for the gap
  std::uint64_t counted_before = 0;     // the total before this step ...
  std::uint64_t running_before_ns = 0;  // ... and how long the counter took to count it
  // The step before this one: traffic that just sped up shows in it long
  // before it moves the average.
  std::uint64_t previous_increment = 0;
  std::uint64_t previous_gap_ns = 0;
};

// The observed rate is the higher of the counter's average and its previous
// step's.
// Whole laps more than the increment that the gap brings at the rate the
// counter showed before (rounded to the nearest lap; 0 when under half a
// lap, for a 64-bit counter, or when no rate has been seen yet).
std::uint64_t laps_missing_at_observed_rate(const WrapEvidence& e);

// Whether, at up to twice the rate the counter showed before (traffic comes
// in bursts), a second lap fits in the gap; true while no rate is known.
bool second_lap_plausible(const WrapEvidence& e);

// "at its observed rate of 1.2e+09/s, the 12.000 ms since this 16-bit counter
// was last read bring about 219 laps, 218 more than one overflow bit stands
// for: the total may be short by about 218 × 2^16 (14286848)"
std::string observed_rate_doubt(const WrapEvidence& e, std::uint64_t laps_missing);

// A polled counter's step in which a second lap fits: "12.000 ms passed
// between two reads of this 16-bit counter, which can wrap every 0.051 ms
// (255 per cycle of ...), and it wrapped: ...".
std::string polled_wrap_doubt(const WrapEvidence& e, std::uint64_t lap_ns, const std::string& rate_bound);

// A suspect that `unexplained` interrupts fell on (InterruptLedger): "2
// overflow interrupt(s) more than the wraps seen arrived while this 16-bit
// counter wrapped, and ...", with observed_rate_doubt() where its rate says
// how many laps.
std::string coalesced_wrap_doubt(const WrapEvidence& e, std::uint64_t unexplained, const std::string& rate_bound);

// The events a counter that counted `counted` in `running_ns`, `frozen_ns`
// of it frozen by reads, lost, in words; empty when under one.
std::string frozen_loss_doubt(std::uint64_t counted, std::uint64_t running_ns, std::uint64_t frozen_ns);

}  // namespace cpmu
