#include "alert.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace cpmu::top {

bool Alert::fires(double value) const {
  switch (op) {
    case Op::kGreater: return value > threshold;
    case Op::kGreaterEqual: return value >= threshold;
    case Op::kLess: return value < threshold;
    case Op::kLessEqual: return value <= threshold;
  }
  return false;
}

Result<Alert> parse_alert(std::string_view text) {
  const auto bad = [&](std::string_view problem) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("--alert '{}': {} (expected COLUMN OP NUMBER, e.g. util>80 or read>=2G; columns: "
                             "util, read, write, requests)",
                             text, problem));
  };
  std::string compact;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  const auto op_at = compact.find_first_of("<>");
  if (op_at == std::string::npos || op_at == 0) return bad("no comparison");
  Alert alert;
  alert.text = std::string(text);
  const auto column = parse_column(compact.substr(0, op_at));
  if (!column || (*column != Column::kUtil && *column != Column::kRead && *column != Column::kWrite &&
                  *column != Column::kRequests)) {
    return bad(fmt::format("unknown column '{}'", compact.substr(0, op_at)));
  }
  alert.column = *column;
  std::size_t number_at = op_at + 1;
  const bool equal = number_at < compact.size() && compact[number_at] == '=';
  if (equal) ++number_at;
  alert.op = compact[op_at] == '>' ? (equal ? Alert::Op::kGreaterEqual : Alert::Op::kGreater)
                                   : (equal ? Alert::Op::kLessEqual : Alert::Op::kLess);
  std::string number = compact.substr(number_at);
  if (!number.empty() && number.back() == '%') {
    if (alert.column != Column::kUtil) return bad("'%' applies to util only");
    number.pop_back();
  }
  double scale = 1;
  if (!number.empty() && alert.column != Column::kUtil) {
    switch (number.back()) {
      case 'k':
      case 'K': scale = 1e3; break;
      case 'M': scale = 1e6; break;
      case 'G': scale = 1e9; break;
      case 'T': scale = 1e12; break;
      default: break;
    }
    if (scale != 1) number.pop_back();
  }
  char* end = nullptr;
  const double value = std::strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0' || !std::isfinite(value) || value < 0) return bad("not a number");
  alert.threshold = value * scale;
  return alert;
}

}  // namespace cpmu::top
