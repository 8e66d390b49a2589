// How numbers and units look to people, in one place for every front end
// (cpmu, cpmutop, an exporter's status page): counts with thousands
// separators, per-second rates with SI prefixes (as perf stat writes
// "M/sec"), shares as percentages, times in seconds, a value of any Unit.
// Machine-readable outputs (CSV, JSON) print plain numbers instead.
#pragma once

#include "cpmu/export.hpp"

#include <cstdint>
#include <string>

#include "cpmu/units.hpp"

namespace cpmu {

CPMU_API std::string grouped(std::uint64_t value);                // 1234567 -> "1,234,567"
CPMU_API std::string si_scaled(double value, int decimals = 3);   // 12345678 -> "12.346 M", 12 -> "12.000 "
CPMU_API std::string per_second(double value);                    // "12.346 M/sec"
CPMU_API std::string percent(double share);                       // 0.5 -> "50.00%"
CPMU_API std::string seconds(std::uint64_t ns);                   // 1001234567 -> "1.001234567"
CPMU_API std::string count_value(double estimate);                // a count, rounded: "1,234,567"
// A value and its unit's symbol, SI-prefixed as si_scaled() does:
// 2.5e9 bytes_per_second -> "2.500 GB/s", 12 events -> "12.000 ". Ratios and
// percents are not prefixed: 0.25 -> "0.250", 25 percent -> "25.00%".
CPMU_API std::string quantity(double value, Unit unit);

}  // namespace cpmu
