// Metric formulas: arithmetic over event counts of one interval, e.g.
// "(m2s_rwd_memwr + m2s_rwd_memwrptl) * 64 / interval".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

class CPMU_API Formula {
 public:
  // Grammar: sum := product {('+'|'-') product}; product := unary {('*'|'/') unary};
  // unary := '-' unary | number | name | '(' sum ')'. Numbers are decimal
  // (1, 0.5, 1e9); names are event or aggregate names, and `interval` is the
  // interval length in seconds. Spaces are ignored. Errors name the formula
  // and the 1-based character position.
  static Result<Formula> parse(std::string_view text);

  const std::string& text() const { return text_; }
  // The event and aggregate names the formula reads, each once, in order of
  // first use (`interval` is not among them).
  const std::vector<std::string>& names() const { return names_; }

  using ValueOf = std::function<std::optional<double>(std::string_view name)>;
  // The formula's value given each name's count over the interval. No value
  // when a count is missing, a divisor is zero or the result is not finite.
  std::optional<double> evaluate(const ValueOf& value_of, double interval_seconds) const;

 private:
  enum class OpCode : std::uint8_t { kNumber, kName, kInterval, kAdd, kSubtract, kMultiply, kDivide, kNegate };
  struct Op {
    OpCode code;
    double number = 0;      // kNumber
    std::size_t name = 0;   // kName: index into names_
  };
  friend class FormulaParser;

  std::string text_;
  std::vector<std::string> names_;
  std::vector<Op> program_;  // postfix, so evaluation needs no recursion
};

}  // namespace cpmu
