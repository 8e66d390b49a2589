// --alert EXPR: a threshold on a column, e.g. "util>80" (percent of
// capacity), "read>=2G" (bytes/s, SI suffix k M G T), "requests<1k". A row
// whose value crosses it is coloured, and batch mode prints an ALERT line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cpmu/result.hpp"
#include "settings.hpp"

namespace cpmu::top {

struct Alert {
  std::string text;  // as given
  Column column = Column::kUtil;
  enum class Op { kGreater, kGreaterEqual, kLess, kLessEqual } op = Op::kGreater;
  double threshold = 0;  // util: percent; read/write: bytes/s; requests: per second

  bool fires(double value) const;
};

// Fails naming the expression and what is wrong with it.
Result<Alert> parse_alert(std::string_view text);

}  // namespace cpmu::top
