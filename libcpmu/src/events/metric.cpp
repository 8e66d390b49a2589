#include "cpmu/metric.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "events/lexical.hpp"

namespace cpmu {

// Recursive descent straight to postfix. Nesting is bounded so that hostile
// input cannot exhaust the stack.
class FormulaParser {
 public:
  explicit FormulaParser(std::string_view text) : text_(text) { formula_.text_ = std::string(text); }

  Result<Formula> run() {
    skip_spaces();
    if (at_end()) return fail(pos_, "the formula is empty");
    if (!sum(0)) return std::move(*error_);
    if (!at_end()) return fail(pos_, fmt::format("unexpected '{}'", text_[pos_]));
    return std::move(formula_);
  }

 private:
  static constexpr int kMaxDepth = 64;
  using Op = Formula::Op;
  using OpCode = Formula::OpCode;

  bool at_end() const { return pos_ >= text_.size(); }
  void skip_spaces() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool accept(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    skip_spaces();
    return true;
  }
  Error fail(std::size_t at, std::string_view problem) {
    error_ = Error(Errc::kInvalidArgument,
                   fmt::format("formula '{}' at position {}: {}", text_, at + 1, problem));
    return *error_;
  }
  void emit(OpCode code) { formula_.program_.push_back(Op{code, 0, 0}); }

  bool sum(int depth) {
    if (!product(depth)) return false;
    for (;;) {
      if (accept('+')) {
        if (!product(depth)) return false;
        emit(OpCode::kAdd);
      } else if (accept('-')) {
        if (!product(depth)) return false;
        emit(OpCode::kSubtract);
      } else {
        return true;
      }
    }
  }

  bool product(int depth) {
    if (!unary(depth)) return false;
    for (;;) {
      if (accept('*')) {
        if (!unary(depth)) return false;
        emit(OpCode::kMultiply);
      } else if (accept('/')) {
        if (!unary(depth)) return false;
        emit(OpCode::kDivide);
      } else {
        return true;
      }
    }
  }

  bool unary(int depth) {
    if (depth >= kMaxDepth) {
      fail(pos_, fmt::format("nested more than {} levels deep", kMaxDepth));
      return false;
    }
    if (accept('-')) {
      if (!unary(depth + 1)) return false;
      emit(OpCode::kNegate);
      return true;
    }
    if (at_end()) {
      fail(pos_, "expected a number, a name or '(' but the formula ends");
      return false;
    }
    const std::size_t start = pos_;
    if (accept('(')) {
      if (!sum(depth + 1)) return false;
      if (!accept(')')) {
        fail(pos_, at_end() ? fmt::format("missing ')' for the '(' at position {}", start + 1)
                            : fmt::format("expected ')' but found '{}'", text_[pos_]));
        return false;
      }
      return true;
    }
    const char c = text_[pos_];
    if ((c >= '0' && c <= '9') || c == '.') return number();
    if (detail::is_name_start(c)) return name();
    fail(pos_, fmt::format("expected a number, a name or '(' but found '{}'", c));
    return false;
  }

  bool number() {
    const std::size_t start = pos_;
    double value = 0;
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), value);
    if (ec != std::errc() || !std::isfinite(value)) {
      fail(start, "malformed number");
      return false;
    }
    pos_ = static_cast<std::size_t>(end - text_.data());
    if (!at_end() && detail::is_name_char(text_[pos_])) {
      fail(start, "malformed number");
      return false;
    }
    formula_.program_.push_back(Op{OpCode::kNumber, value, 0});
    skip_spaces();
    return true;
  }

  bool name() {
    const std::size_t start = pos_;
    while (!at_end() && detail::is_name_char(text_[pos_])) ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    skip_spaces();
    if (word == detail::kIntervalName) {
      emit(OpCode::kInterval);
      return true;
    }
    if (auto problem = detail::name_problem(word); !problem.empty()) {
      fail(start, problem);
      return false;
    }
    auto& names = formula_.names_;
    auto it = std::find(names.begin(), names.end(), word);
    if (it == names.end()) it = names.insert(names.end(), std::string(word));
    formula_.program_.push_back(Op{OpCode::kName, 0, static_cast<std::size_t>(it - names.begin())});
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  Formula formula_;
  std::optional<Error> error_;
};

Result<Formula> Formula::parse(std::string_view text) { return FormulaParser(text).run(); }

std::optional<double> Formula::evaluate(const ValueOf& value_of, double interval_seconds) const {
  std::vector<double> stack;
  for (const Op& op : program_) {
    double value = 0;
    switch (op.code) {
      case OpCode::kNumber: value = op.number; break;
      case OpCode::kInterval: value = interval_seconds; break;
      case OpCode::kName: {
        auto v = value_of(names_[op.name]);
        if (!v) return std::nullopt;
        value = *v;
        break;
      }
      case OpCode::kNegate: value = -stack.back(); stack.pop_back(); break;
      default: {
        // The parser emits a binary operator only after both operands.
        const double right = stack.back();
        stack.pop_back();
        const double left = stack.back();
        stack.pop_back();
        if (op.code == OpCode::kAdd) value = left + right;
        if (op.code == OpCode::kSubtract) value = left - right;
        if (op.code == OpCode::kMultiply) value = left * right;
        if (op.code == OpCode::kDivide) {
          if (right == 0) return std::nullopt;
          value = left / right;
        }
        break;
      }
    }
    if (!std::isfinite(value)) return std::nullopt;
    stack.push_back(value);
  }
  return stack.size() == 1 ? std::optional<double>(stack.back()) : std::nullopt;
}

}  // namespace cpmu
