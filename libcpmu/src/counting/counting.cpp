#include "cpmu/counting.hpp"

namespace cpmu {

std::string_view placement_name(Placement placement) {
  switch (placement) {
    case Placement::kFixed: return "fixed";
    case Placement::kConfigurable: return "configurable";
    case Placement::kFreeRunning: return "free_running";
    case Placement::kMultiplexed: return "multiplexed";
    case Placement::kNotSupported: return "not_supported";
  }
  return "unknown";
}

std::string_view count_state_name(CountState state) {
  switch (state) {
    case CountState::kCounted: return "counted";
    case CountState::kNotCounted: return "not_counted";
    case CountState::kNotSupported: return "not_supported";
  }
  return "unknown";
}

std::optional<double> CountValue::estimate() const {
  if (state != CountState::kCounted || time_running_ns == 0) return std::nullopt;
  if (time_running_ns >= time_enabled_ns) return static_cast<double>(raw);
  return static_cast<double>(raw) * static_cast<double>(time_enabled_ns) /
         static_cast<double>(time_running_ns);
}

NowFunction wall_clock_now() {
  return [] {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
  };
}

NowFunction steady_now() {
  return [] {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
  };
}

}  // namespace cpmu
