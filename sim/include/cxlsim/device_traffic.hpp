// Traffic generators: the exact, closed-form event streams one memory device
// sees (DeviceTraffic), and the sum of several (AggregateTraffic) for ports.
// The derivation of every event from the read and write streams is in
// docs/simulator-model.md, section "Traffic".
#pragma once

#include <cstdint>
#include <vector>

#include "cpmu/result.hpp"
#include "cxlsim/traffic.hpp"

namespace cpmu::sim {

// One segment of the repeating base load.
struct Phase {
  std::uint64_t duration_ns;
  std::uint64_t reads_per_s;
  std::uint64_t writes_per_s;
  std::uint32_t partial_write_permille;  // share of writes that are MemWrPtl
};

// Periodic windows [k·period, k·period + length) that add rate on top of the
// phases. Burst writes are full-line writes.
struct Burst {
  std::uint64_t period_ns;
  std::uint64_t length_ns;
  std::uint64_t extra_reads_per_s;
  std::uint64_t extra_writes_per_s;
};

// A constant rate added to one event (vendor events, cache events, ...).
struct ExtraEvent {
  EventKey key;
  std::uint64_t per_s;
};

struct TrafficProfile {
  std::uint64_t clock_hz;
  std::vector<Phase> phases;  // empty: no base load
  std::vector<Burst> bursts;
  std::vector<ExtraEvent> extra;
  std::uint32_t hdm_decoders;  // request streams interleave over these
  std::uint32_t ddr_channels;  // DDR events interleave over these
};

// Limits that keep every stream below 2^64 events for 100 years and every
// intermediate product inside 128 bits.
inline constexpr std::uint64_t kMaxClockHz = 5'000'000'000;
inline constexpr std::uint64_t kMaxRatePerS = 4'000'000'000;
inline constexpr std::uint64_t kMaxPeriodNs = 1'000'000'000'000'000'000;  // ~31.7 years
inline constexpr std::uint32_t kMaxHdmDecoders = 32;
inline constexpr std::uint32_t kMaxDdrChannels = 256;  // the filter selects by 8 bits

// Traffic seen by one memory device. Counts are exact cumulative functions of
// time; a query costs O(phases + bursts + extra + decoders or channels).
// Construct only from a profile that validate() accepts; an invalid profile
// yields a source that counts nothing.
class DeviceTraffic final : public TrafficSource {
 public:
  explicit DeviceTraffic(TrafficProfile profile);

  // The message names the offending field, e.g. "phases[1].duration_ns must be > 0".
  static Status validate(const TrafficProfile& profile);

  const TrafficProfile& profile() const { return profile_; }

  std::uint64_t cumulative(const EventKey& key, const FilterSelection& filter,
                           std::uint64_t t_ns) const override;
  std::uint64_t cycles(std::uint64_t t_ns) const override;

 private:
  // What happened in [0, t], for the whole device or one decoder or channel;
  // every event derives from these.
  struct Streams {
    std::uint64_t reads = 0;
    std::uint64_t full_writes = 0;
    std::uint64_t partial_writes = 0;
    std::uint64_t refreshes = 0;
    std::uint64_t cycles = 0;
  };

  Streams streams(std::uint64_t t_ns) const;
  std::uint64_t extra_events(const EventKey& key, std::uint64_t t_ns) const;
  // Events of `key` in [0, t] that belong to part `part` of `parts`.
  std::uint64_t part_count(const EventKey& key, const Streams& total, std::uint64_t t_ns,
                           std::uint32_t part, std::uint32_t parts) const;

  TrafficProfile profile_;
  bool valid_;
};

// The sum of several sources: what a switch or root port sees of the devices
// below it. The children are not owned and must outlive this object.
class AggregateTraffic final : public TrafficSource {
 public:
  AggregateTraffic(std::vector<const TrafficSource*> children, std::uint64_t clock_hz);

  // Rejects null children and a clock outside 1..kMaxClockHz.
  static Status validate(const std::vector<const TrafficSource*>& children,
                         std::uint64_t clock_hz);

  // clock_ticks are this port's own cycles; every other event is the sum of
  // the children's counts (modulo 2^64).
  std::uint64_t cumulative(const EventKey& key, const FilterSelection& filter,
                           std::uint64_t t_ns) const override;
  std::uint64_t cycles(std::uint64_t t_ns) const override;

 private:
  std::vector<const TrafficSource*> children_;
  std::uint64_t clock_hz_;
};

}  // namespace cpmu::sim
