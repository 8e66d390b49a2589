#include "cxlsim/sim_timing.hpp"

#include <fmt/format.h>

namespace cpmu::sim {

Status check_timing(const SimTiming& t) {
  const auto bad = [](const char* field, std::uint64_t value, std::uint64_t min, std::uint64_t max) {
    return Error(Errc::kInvalidArgument, fmt::format("{} {} must be {}..{}", field, value, min, max));
  };
  if (t.register_access_ns > kMaxRegisterAccessNs) {
    return bad("register_access_ns", t.register_access_ns, 0, kMaxRegisterAccessNs);
  }
  if (t.interrupt_latency_ns > kMaxInterruptLatencyNs) {
    return bad("interrupt_latency_ns", t.interrupt_latency_ns, 0, kMaxInterruptLatencyNs);
  }
  if (t.tick_ns < kMinTickNs || t.tick_ns > kMaxTickNs) return bad("tick_ns", t.tick_ns, kMinTickNs, kMaxTickNs);
  return {};
}

}  // namespace cpmu::sim
