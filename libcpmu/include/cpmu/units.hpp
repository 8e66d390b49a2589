// Units: what a count, a rate or a metric's value measures. One closed set
// with one spelling each, so the event catalogue, every JSON document and
// every front end (cpmu, cpmutop, an exporter) agree without mapping tables.
// The spelling is snake_case, as every enum in cpmu's machine-readable output.
#pragma once

#include "cpmu/export.hpp"

#include <array>
#include <optional>
#include <string_view>

namespace cpmu {

enum class Unit {
  kEvents,            // "events": occurrences of something counted (requests, responses, commands, errors)
  kCycles,            // "cycles": ticks of a clock (the CPMU's, a controller's)
  kEntries,           // "entries": occupancy, queue entries summed over the cycles counted
  kBytes,             // "bytes"
  kBytesPerSecond,    // "bytes_per_second"
  kEventsPerSecond,   // "events_per_second"
  kHertz,             // "hertz": a frequency, e.g. of the CPMU clock
  kRatio,             // "ratio": a dimensionless quotient, 1 = one to one
  kPercent,           // "percent": 0..100
  kNanoseconds,       // "nanoseconds"
};

inline constexpr std::array<Unit, 10> kAllUnits = {
    Unit::kEvents, Unit::kCycles,          Unit::kEntries, Unit::kBytes,   Unit::kBytesPerSecond,
    Unit::kEventsPerSecond, Unit::kHertz, Unit::kRatio,   Unit::kPercent, Unit::kNanoseconds};

CPMU_API std::string_view unit_name(Unit unit);                        // the one spelling: "bytes_per_second"
CPMU_API std::optional<Unit> parse_unit(std::string_view name);        // exactly a unit_name(); nothing else
// What people read after a number, with an SI prefix in front: "B/s", "Hz",
// "/s"; empty for counts and ratios, which carry no symbol.
CPMU_API std::string_view unit_symbol(Unit unit);
// The unit of a per-second rate of `unit`: events -> events_per_second,
// bytes -> bytes_per_second, cycles -> hertz; none for the others.
CPMU_API std::optional<Unit> per_second_unit(Unit unit);

}  // namespace cpmu
