// InterruptStormDetector: declares a storm when spurious overflow interrupts
// pile up. An interrupt is spurious only when the snapshot taken with it
// showed no interrupting counter's bit and no wrap seen before still owed
// it (InterruptLedger): with service latency, interrupts routinely arrive
// after a read took their bit, and are not spurious. A real overflow can
// still look spurious once in a while, so a storm needs kStormInterrupts of
// them within kStormWindow.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace cpmu {

inline constexpr std::uint64_t kStormInterrupts = 64;
inline constexpr std::chrono::nanoseconds kStormWindow = std::chrono::seconds(1);

class InterruptStormDetector {
 public:
  // Times are ns since counting started.
  // `spurious` interrupts were found by `now_ns`.
  void record(std::uint64_t spurious, std::uint64_t now_ns);
  // Interrupts taken while servicing is rate-limited; none is looked into.
  void record_unexamined(std::uint64_t interrupts) { ignored_ += interrupts; }

  void reset() { *this = InterruptStormDetector(); }
  bool raging() const { return storm_since_ns_.has_value(); }
  // "interrupt storm: 120 overflow interrupts without an overflow bit (the
  // storm began 0.134 s after start); ..." (empty without a storm).
  std::string description() const;

 private:
  std::uint64_t window_start_ns_ = 0;
  std::uint64_t window_spurious_ = 0;
  std::uint64_t spurious_ = 0;
  std::uint64_t ignored_ = 0;
  std::optional<std::uint64_t> storm_since_ns_;
};

}  // namespace cpmu
