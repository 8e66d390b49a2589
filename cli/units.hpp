// How numbers and units look in cpmu's human-readable output, in one place:
// counts with thousands separators, per-second rates with SI prefixes (as
// perf stat writes "M/sec"), shares as percentages, times in seconds.
// DiscoveredMachine-readable outputs (CSV, JSON) print plain numbers instead.
#pragma once

#include <cstdint>
#include <string>

namespace cpmu::cli {

std::string grouped(std::uint64_t value);                // 1234567 -> "1,234,567"
std::string si_scaled(double value, int decimals = 3);   // 12345678 -> "12.346 M", 12 -> "12.000 "
std::string per_second(double value);                    // "12.346 M/sec"
std::string percent(double share);                       // 0.5 -> "50.00%"
std::string seconds(std::uint64_t ns);                   // 1001234567 -> "1.001234567"
std::string count_value(double estimate);                // a count, rounded: "1,234,567"

}  // namespace cpmu::cli
