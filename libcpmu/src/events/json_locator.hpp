// Line numbers for JSON pointers. nlohmann::json keeps no positions, so
// errors found after parsing look the line up here: one pass over the text
// records where every object key and array element starts.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cpmu::detail {

struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};

// Line and column of a byte offset (both 1-based).
TextPosition position_at(std::string_view text, std::size_t offset);

// "/events/3/name": escapes '~' and '/' of one reference token.
std::string json_pointer_token(std::string_view key);

class JsonLocator {
 public:
  // `text` must be valid JSON (parse it first).
  explicit JsonLocator(std::string_view text);

  // The line of the key (object member) or first character (array element)
  // at `pointer`; for a pointer not in the document, the line of its nearest
  // ancestor that is.
  std::size_t line_of(std::string_view pointer) const;

  struct Duplicate {
    std::string pointer;
    std::size_t line;  // of the repetition
  };
  // The first key repeated within one object, which nlohmann would silently collapse.
  const std::optional<Duplicate>& duplicate_key() const { return duplicate_key_; }

 private:
  std::unordered_map<std::string, std::size_t> lines_;  // the first occurrence of each pointer
  std::optional<Duplicate> duplicate_key_;
};

}  // namespace cpmu::detail
