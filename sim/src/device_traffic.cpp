// Traffic generators: every count is an integral of piecewise-constant rates,
// evaluated in closed form with 128-bit intermediates and floored once.
#include "cxlsim/device_traffic.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "cpmu/regs/cpmu.hpp"
#include "cpmu/regs/cxl_dvsec.hpp"

namespace cpmu::sim {
namespace {

__extension__ typedef unsigned __int128 Wide;

namespace group = regs::cpmu::event_group;
namespace bit = regs::cpmu::event_bit;

constexpr std::uint64_t kNsPerS = 1'000'000'000;
constexpr std::uint64_t kPermille = 1000;
// DDR tREFI at normal temperature: the device issues one refresh per 3.9 µs.
constexpr std::uint64_t kRefreshIntervalNs = 3900;
// A row serves four accesses on average, so every fourth access costs an
// activate and a precharge.
constexpr std::uint64_t kAccessesPerRow = 4;
// Our encoding of the channel/rank/bank filter value: the channel in the low
// byte, rank and bank ignored. UNVERIFIED against the CXL spec.
constexpr regs::Field kFilterChannel = regs::bits(7, 0);
constexpr unsigned kMaxEventBit = regs::cpmu::counter_cfg::kEvents.width - 1;

Status invalid(std::string message) { return Error(Errc::kInvalidArgument, std::move(message)); }

std::uint64_t cycles_at(std::uint64_t clock_hz, std::uint64_t t_ns) {
  return static_cast<std::uint64_t>(Wide(clock_hz) * t_ns / kNsPerS);
}

bool is_clock_ticks(const EventKey& key) {
  return key.vid == regs::dvsec::kCxlVendorId && key.gid == group::kClockTicks &&
         key.bit == bit::kClockTicks;
}

// The k-th event of a stream goes to part k mod parts; this is how many of
// the first n events part `part` gets. Summed over all parts it is n, and it
// is monotone in n, so per-part counts are exact cumulative functions too.
std::uint64_t share(std::uint64_t n, std::uint32_t part, std::uint32_t parts) {
  return n > part ? (n - part - 1) / parts + 1 : 0;
}

// Request integrals in rate·ns; the write integrals also carry the permille
// factor of the full/partial split, so nothing is rounded before the end.
struct Integrals {
  Wide reads = 0;
  Wide full_writes = 0;
  Wide partial_writes = 0;
};

void add_phase(Integrals& sum, const Phase& phase, Wide dt_ns) {
  sum.reads += dt_ns * phase.reads_per_s;
  sum.full_writes += dt_ns * phase.writes_per_s * (kPermille - phase.partial_write_permille);
  sum.partial_writes += dt_ns * phase.writes_per_s * phase.partial_write_permille;
}

Integrals phase_integrals(const std::vector<Phase>& phases, std::uint64_t t_ns) {
  Integrals per_period;
  std::uint64_t period_ns = 0;
  for (const Phase& phase : phases) {
    add_phase(per_period, phase, phase.duration_ns);
    period_ns += phase.duration_ns;
  }
  if (period_ns == 0) return {};
  const Wide periods = t_ns / period_ns;
  Integrals sum{per_period.reads * periods, per_period.full_writes * periods,
                per_period.partial_writes * periods};
  std::uint64_t rest_ns = t_ns % period_ns;
  for (const Phase& phase : phases) {
    if (rest_ns == 0) break;
    const std::uint64_t dt_ns = std::min(rest_ns, phase.duration_ns);
    add_phase(sum, phase, dt_ns);
    rest_ns -= dt_ns;
  }
  return sum;
}

// Time inside the burst windows during [0, t].
Wide burst_time(const Burst& burst, std::uint64_t t_ns) {
  return Wide(t_ns / burst.period_ns) * burst.length_ns +
         std::min(t_ns % burst.period_ns, burst.length_ns);
}

// Which filter splits an event group into parts.
enum class Split { kNone, kHdmDecoder, kChannel };

Split split_of(const EventKey& key) {
  if (key.vid != regs::dvsec::kCxlVendorId) return Split::kNone;
  if (key.gid >= group::kM2sReq && key.gid <= group::kS2mDrs) return Split::kHdmDecoder;
  if (key.gid == group::kDdr) return Split::kChannel;
  return Split::kNone;
}

}  // namespace

DeviceTraffic::DeviceTraffic(TrafficProfile profile)
    : profile_(std::move(profile)), valid_(validate(profile_).has_value()) {}

Status DeviceTraffic::validate(const TrafficProfile& profile) {
  if (profile.clock_hz == 0 || profile.clock_hz > kMaxClockHz) {
    return invalid(fmt::format("clock_hz {} must be in 1..{}", profile.clock_hz, kMaxClockHz));
  }
  std::uint64_t period_ns = 0;
  std::uint64_t peak_phase_rate = 0;
  for (std::size_t i = 0; i < profile.phases.size(); ++i) {
    const Phase& phase = profile.phases[i];
    if (phase.duration_ns == 0) return invalid(fmt::format("phases[{}].duration_ns must be > 0", i));
    if (phase.duration_ns > kMaxPeriodNs - period_ns) {
      return invalid(fmt::format("phases[{}].duration_ns {}: the phases add up to more than {} ns", i,
                                 phase.duration_ns, kMaxPeriodNs));
    }
    period_ns += phase.duration_ns;
    if (phase.reads_per_s > kMaxRatePerS || phase.writes_per_s > kMaxRatePerS ||
        phase.reads_per_s + phase.writes_per_s > kMaxRatePerS) {
      return invalid(fmt::format("phases[{}] rates (reads_per_s {} + writes_per_s {}) exceed {}/s", i,
                                 phase.reads_per_s, phase.writes_per_s, kMaxRatePerS));
    }
    if (phase.partial_write_permille > kPermille) {
      return invalid(fmt::format("phases[{}].partial_write_permille {} must be <= {}", i,
                                 phase.partial_write_permille, kPermille));
    }
    peak_phase_rate = std::max(peak_phase_rate, phase.reads_per_s + phase.writes_per_s);
  }
  // Each term is at most kMaxRatePerS and the sum is checked after every
  // addition, so the running sum cannot overflow.
  std::uint64_t peak_rate = peak_phase_rate;
  for (std::size_t i = 0; i < profile.bursts.size(); ++i) {
    const Burst& burst = profile.bursts[i];
    if (burst.period_ns == 0) return invalid(fmt::format("bursts[{}].period_ns must be > 0", i));
    if (burst.length_ns == 0 || burst.length_ns > burst.period_ns) {
      return invalid(fmt::format("bursts[{}].length_ns {} must be in 1..period_ns ({})", i,
                                 burst.length_ns, burst.period_ns));
    }
    if (burst.extra_reads_per_s > kMaxRatePerS || burst.extra_writes_per_s > kMaxRatePerS) {
      return invalid(fmt::format("bursts[{}] rates (extra_reads_per_s {}, extra_writes_per_s {}) exceed {}/s",
                                 i, burst.extra_reads_per_s, burst.extra_writes_per_s, kMaxRatePerS));
    }
    peak_rate += burst.extra_reads_per_s + burst.extra_writes_per_s;
    if (peak_rate > kMaxRatePerS) {
      return invalid(fmt::format("bursts[{}] raise the peak request rate to {}/s, above {}/s", i,
                                 peak_rate, kMaxRatePerS));
    }
  }
  for (std::size_t i = 0; i < profile.extra.size(); ++i) {
    const ExtraEvent& extra = profile.extra[i];
    if (extra.key.bit > kMaxEventBit) {
      return invalid(fmt::format("extra[{}].key.bit {} must be in 0..{}", i, extra.key.bit, kMaxEventBit));
    }
    if (extra.per_s > kMaxRatePerS) {
      return invalid(fmt::format("extra[{}].per_s {} exceeds {}/s", i, extra.per_s, kMaxRatePerS));
    }
  }
  if (profile.hdm_decoders == 0 || profile.hdm_decoders > kMaxHdmDecoders) {
    return invalid(fmt::format("hdm_decoders {} must be in 1..{}", profile.hdm_decoders, kMaxHdmDecoders));
  }
  if (profile.ddr_channels == 0 || profile.ddr_channels > kMaxDdrChannels) {
    return invalid(fmt::format("ddr_channels {} must be in 1..{}", profile.ddr_channels, kMaxDdrChannels));
  }
  return {};
}

std::uint64_t DeviceTraffic::cycles(std::uint64_t t_ns) const {
  return valid_ ? cycles_at(profile_.clock_hz, t_ns) : 0;
}

DeviceTraffic::Streams DeviceTraffic::streams(std::uint64_t t_ns) const {
  Integrals sum = phase_integrals(profile_.phases, t_ns);
  for (const Burst& burst : profile_.bursts) {
    const Wide in_burst_ns = burst_time(burst, t_ns);
    sum.reads += in_burst_ns * burst.extra_reads_per_s;
    sum.full_writes += in_burst_ns * burst.extra_writes_per_s * kPermille;
  }
  return Streams{static_cast<std::uint64_t>(sum.reads / kNsPerS),
                 static_cast<std::uint64_t>(sum.full_writes / (Wide(kNsPerS) * kPermille)),
                 static_cast<std::uint64_t>(sum.partial_writes / (Wide(kNsPerS) * kPermille)),
                 t_ns / kRefreshIntervalNs, cycles(t_ns)};
}

std::uint64_t DeviceTraffic::extra_events(const EventKey& key, std::uint64_t t_ns) const {
  std::uint64_t sum = 0;
  for (const ExtraEvent& extra : profile_.extra) {
    if (extra.key == key) sum += static_cast<std::uint64_t>(Wide(extra.per_s) * t_ns / kNsPerS);
  }
  return sum;
}

std::uint64_t DeviceTraffic::part_count(const EventKey& key, const Streams& total, std::uint64_t t_ns,
                                        std::uint32_t part, std::uint32_t parts) const {
  const Streams s{share(total.reads, part, parts), share(total.full_writes, part, parts),
                  share(total.partial_writes, part, parts), share(total.refreshes, part, parts),
                  share(total.cycles, part, parts)};
  const std::uint64_t writes = s.full_writes + s.partial_writes;
  std::uint64_t derived = 0;
  if (key.vid == regs::dvsec::kCxlVendorId) {
    switch (key.gid) {
      case group::kClockTicks:
        if (key.bit == bit::kClockTicks) derived = s.cycles;
        break;
      case group::kM2sReq:
        if (key.bit == bit::kM2sReqMemRd) derived = s.reads;
        break;
      case group::kM2sRwd:
        if (key.bit == bit::kM2sRwdMemWr) derived = s.full_writes;
        if (key.bit == bit::kM2sRwdMemWrPtl) derived = s.partial_writes;
        break;
      case group::kS2mNdr:
        if (key.bit == bit::kS2mNdrCmp) derived = writes;
        break;
      case group::kS2mDrs:
        if (key.bit == bit::kS2mDrsMemData) derived = s.reads;
        break;
      case group::kDdr:
        if (key.bit == bit::kDdrAct || key.bit == bit::kDdrPre) derived = (s.reads + writes) / kAccessesPerRow;
        if (key.bit == bit::kDdrCasRd) derived = s.reads;
        if (key.bit == bit::kDdrCasWr) derived = writes;
        if (key.bit == bit::kDdrRefresh) derived = s.refreshes;
        break;
      default:
        break;
    }
  }
  return derived + share(extra_events(key, t_ns), part, parts);
}

std::uint64_t DeviceTraffic::cumulative(const EventKey& key, const FilterSelection& filter,
                                        std::uint64_t t_ns) const {
  if (!valid_) return 0;
  std::uint32_t parts = 1;
  std::optional<std::uint32_t> selected;
  switch (split_of(key)) {
    case Split::kHdmDecoder:
      parts = profile_.hdm_decoders;
      selected = filter.hdm_decoder;
      break;
    case Split::kChannel:
      parts = profile_.ddr_channels;
      if (filter.channel_rank_bank) {
        selected = static_cast<std::uint32_t>(kFilterChannel.get(*filter.channel_rank_bank));
      }
      break;
    case Split::kNone:
      break;
  }
  const Streams total = streams(t_ns);
  if (selected) return *selected < parts ? part_count(key, total, t_ns, *selected, parts) : 0;
  // The whole device is defined as the sum of its parts, so a filtered count
  // never disagrees with the unfiltered one.
  std::uint64_t sum = 0;
  for (std::uint32_t part = 0; part < parts; ++part) sum += part_count(key, total, t_ns, part, parts);
  return sum;
}

AggregateTraffic::AggregateTraffic(std::vector<const TrafficSource*> children, std::uint64_t clock_hz)
    : children_(std::move(children)), clock_hz_(clock_hz) {}

Status AggregateTraffic::validate(const std::vector<const TrafficSource*>& children,
                                  std::uint64_t clock_hz) {
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (children[i] == nullptr) return invalid(fmt::format("children[{}] is null", i));
  }
  if (clock_hz == 0 || clock_hz > kMaxClockHz) {
    return invalid(fmt::format("clock_hz {} must be in 1..{}", clock_hz, kMaxClockHz));
  }
  return {};
}

std::uint64_t AggregateTraffic::cycles(std::uint64_t t_ns) const { return cycles_at(clock_hz_, t_ns); }

std::uint64_t AggregateTraffic::cumulative(const EventKey& key, const FilterSelection& filter,
                                           std::uint64_t t_ns) const {
  if (is_clock_ticks(key)) return cycles(t_ns);
  std::uint64_t sum = 0;
  for (const TrafficSource* child : children_) {
    if (child != nullptr) sum += child->cumulative(key, filter, t_ns);
  }
  return sum;
}

}  // namespace cpmu::sim
