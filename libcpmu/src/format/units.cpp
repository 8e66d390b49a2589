#include "cpmu/units.hpp"

namespace cpmu {

std::string_view unit_name(Unit unit) {
  switch (unit) {
    case Unit::kEvents: return "events";
    case Unit::kCycles: return "cycles";
    case Unit::kEntries: return "entries";
    case Unit::kBytes: return "bytes";
    case Unit::kBytesPerSecond: return "bytes_per_second";
    case Unit::kEventsPerSecond: return "events_per_second";
    case Unit::kHertz: return "hertz";
    case Unit::kRatio: return "ratio";
    case Unit::kPercent: return "percent";
    case Unit::kNanoseconds: return "nanoseconds";
  }
  return "events";
}

std::optional<Unit> parse_unit(std::string_view name) {
  for (Unit unit : kAllUnits) {
    if (unit_name(unit) == name) return unit;
  }
  return std::nullopt;
}

std::string_view unit_symbol(Unit unit) {
  switch (unit) {
    case Unit::kEvents:
    case Unit::kRatio: return "";
    case Unit::kCycles: return "cycles";
    case Unit::kEntries: return "entries";
    case Unit::kBytes: return "B";
    case Unit::kBytesPerSecond: return "B/s";
    case Unit::kEventsPerSecond: return "/s";
    case Unit::kHertz: return "Hz";
    case Unit::kPercent: return "%";
    case Unit::kNanoseconds: return "ns";
  }
  return "";
}

std::optional<Unit> per_second_unit(Unit unit) {
  switch (unit) {
    case Unit::kEvents: return Unit::kEventsPerSecond;
    case Unit::kBytes: return Unit::kBytesPerSecond;
    case Unit::kCycles: return Unit::kHertz;
    default: return std::nullopt;
  }
}

}  // namespace cpmu
