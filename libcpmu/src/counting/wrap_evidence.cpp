#include "counting/wrap_evidence.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace cpmu {
namespace {

long double rate_per_ns(const WrapEvidence& e) {
  const auto ratio = [](std::uint64_t count, std::uint64_t ns) {
    return ns == 0 ? 0.0L : static_cast<long double>(count) / static_cast<long double>(ns);
  };
  return std::max(ratio(e.counted_before, e.running_before_ns), ratio(e.previous_increment, e.previous_gap_ns));
}

}  // namespace

std::uint64_t laps_missing_at_observed_rate(const WrapEvidence& e) {
  if (e.width >= 64) return 0;
  const long double expected = rate_per_ns(e) * static_cast<long double>(e.gap_ns);
  const long double lap = std::ldexp(1.0L, static_cast<int>(e.width));
  const long double missing = (expected - static_cast<long double>(e.increment)) / lap;
  return missing < 0.5L ? 0 : static_cast<std::uint64_t>(std::llround(missing));
}

bool second_lap_plausible(const WrapEvidence& e) {
  if (e.width >= 64) return false;
  if (e.running_before_ns == 0 && e.previous_gap_ns == 0) return true;
  const long double burst = 2 * rate_per_ns(e) * static_cast<long double>(e.gap_ns);
  return burst >= static_cast<long double>(e.increment) + std::ldexp(1.0L, static_cast<int>(e.width));
}

std::string observed_rate_doubt(const WrapEvidence& e, std::uint64_t laps_missing) {
  const long double lap = std::ldexp(1.0L, static_cast<int>(e.width));
  return fmt::format(
      "at its observed rate of {:.3g}/s, the {:.3f} ms since this {}-bit counter was last read bring "
      "about {} laps more than its overflow bit and interrupts stood for: the total may be short by "
      "about {} x 2^{} ({:.0f})",
      static_cast<double>(rate_per_ns(e) * 1e9L), static_cast<double>(e.gap_ns) / 1e6, e.width, laps_missing,
      laps_missing, e.width, static_cast<double>(lap * laps_missing));
}

std::string polled_wrap_doubt(const WrapEvidence& e, std::uint64_t lap_ns, const std::string& rate_bound) {
  return fmt::format(
      "{:.3f} ms passed between two reads of this {}-bit counter, which can wrap every {:.3f} ms ({}), "
      "and it wrapped: it may have wrapped more than once; the total may be short by multiples of 2^{}",
      static_cast<double>(e.gap_ns) / 1e6, e.width, static_cast<double>(lap_ns) / 1e6, rate_bound, e.width);
}

std::string coalesced_wrap_doubt(const WrapEvidence& e, std::uint64_t unexplained, const std::string& rate_bound) {
  std::string why = fmt::format(
      "{} overflow interrupt(s) more than the wraps seen arrived while this {}-bit counter wrapped, and at its rate "
      "a second lap fits in the {:.3f} ms since it was last read: it may have wrapped more than once ({}); the total "
      "may be short by multiples of 2^{}",
      unexplained, e.width, static_cast<double>(e.gap_ns) / 1e6, rate_bound, e.width);
  if (const std::uint64_t missing = laps_missing_at_observed_rate(e); missing > 0) {
    why += "; " + observed_rate_doubt(e, missing);
  }
  return why;
}

std::string frozen_loss_doubt(std::uint64_t counted, std::uint64_t running_ns, std::uint64_t frozen_ns) {
  if (frozen_ns == 0 || running_ns == 0) return {};
  // The counter counted in running - frozen; at that rate the frozen time lost this many.
  const long double lost = static_cast<long double>(counted) * static_cast<long double>(frozen_ns) /
                           static_cast<long double>(running_ns > frozen_ns ? running_ns - frozen_ns : 1);
  if (lost < 0.5L) return {};
  return fmt::format(
      "the counter was frozen for reads {:.3f} ms in all, and events then are not counted: at its "
      "observed rate about {:.0f} were lost",
      static_cast<double>(frozen_ns) / 1e6, static_cast<double>(lost));
}

}  // namespace cpmu
