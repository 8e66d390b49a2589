#include "counting/interrupt_ledger.hpp"

#include <algorithm>
#include <utility>

namespace cpmu {

// Two interrupts owed per counter at most: one for the wrap a snapshot saw
// and one for a wrap the snapshot's own reads raised. A device that merges
// interrupts (UNVERIFIED whether any does) would leave credit behind
// forever; the cap keeps that from hiding more than that many later.
constexpr std::uint64_t kOwedPerCounter = 2;

void InterruptLedger::suspect(std::size_t counter, const WrapEvidence& evidence, std::uint64_t at_ns) {
  const auto it =
      std::find_if(suspects_.begin(), suspects_.end(), [&](const Suspect& s) { return s.counter == counter; });
  // A suspect stays one until it is cleared; its latest doubtful step, with
  // the most known of its rate, stands for it.
  if (it != suspects_.end()) {
    *it = Suspect{counter, evidence, at_ns};
  } else {
    suspects_.push_back({counter, evidence, at_ns});
  }
}

InterruptLedger::Settlement InterruptLedger::settle(std::uint64_t interrupts, std::uint64_t wraps_seen,
                                                    std::uint64_t counters, std::uint64_t now_ns) {
  Settlement out;
  const bool was_owed = owed_ > 0;
  const std::uint64_t credit = owed_ + wraps_seen;
  if (interrupts > credit) {
    out.unexplained = interrupts - credit;
    owed_ = 0;
  } else {
    owed_ = std::min(credit - interrupts, kOwedPerCounter * counters);
  }
  // Lateness: from the settle that left wraps owed to the one that paid them.
  if (!was_owed && owed_ > 0) owed_since_ns_ = now_ns;
  if (was_owed && owed_ == 0) {
    lateness_bound_ns_ = std::max(lateness_bound_ns_, now_ns - std::min(now_ns, owed_since_ns_));
    ++payments_;
  }
  if (out.unexplained > 0) {
    // The suspects whose own rate says they lost laps, if those laps account
    // for every unexplained interrupt; otherwise every suspect.
    std::uint64_t likely_laps = 0;
    for (const Suspect& s : suspects_) likely_laps += laps_missing_at_observed_rate(s.evidence);
    const bool only_likely = likely_laps >= out.unexplained;
    std::vector<Suspect> kept;
    for (const Suspect& s : suspects_) {
      if (only_likely && laps_missing_at_observed_rate(s.evidence) == 0) {
        kept.push_back(s);
      } else {
        out.doubted.push_back({s.counter, s.evidence});
      }
    }
    suspects_ = std::move(kept);
    out.spurious = out.doubted.empty() && wraps_seen == 0;
    return out;
  }
  const bool quiet = owed_ == 0 && wraps_seen == 0;
  std::vector<Suspect> kept;
  for (Suspect& s : suspects_) {
    if (!s.settled) {  // suspected in this snapshot
      s.settled = true;
      s.awaits_payment = owed_ > 0;
      s.payments = payments_;
    } else if (quiet && ((s.awaits_payment && payments_ > s.payments) ||
                         now_ns - std::min(now_ns, s.since_ns) >= lateness_bound_ns_)) {
      continue;  // cleared
    }
    kept.push_back(s);
  }
  suspects_ = std::move(kept);
  return out;
}

}  // namespace cpmu
