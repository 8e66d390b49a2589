// Reading a JSON document field by field with the JSON pointer of every
// value at hand, so that each complaint names exactly where it applies.
//
// Errors travel as a JsonFieldError exception inside the parser only: a
// schema walk that has to stop at the first bad field reads far better that
// way than with a Result after every field. parse_topology() catches it and
// returns a Result; nothing escapes the library.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace cpmu::sim::detail {

struct JsonFieldError {
  std::string pointer;
  std::string message;
};

[[noreturn]] void fail(const std::string& pointer, std::string message);

// RFC 6901: "~" -> "~0", "/" -> "~1".
std::string child_pointer(const std::string& parent, std::string_view key);
std::string child_pointer(const std::string& parent, std::size_t index);

// A JSON number that is a non-negative integer, or a string "123", "0x7b",
// and with `size_suffix` also "256M" (K, M, G, T: powers of 1024).
std::uint64_t parse_unsigned(const nlohmann::json& value, const std::string& pointer, bool size_suffix = false);

// An object whose keys must all be in the allowed set: anything else is
// reported as an unknown key, so typos do not pass silently.
class JsonObject {
 public:
  JsonObject(const nlohmann::json& value, std::string pointer, std::initializer_list<std::string_view> allowed);

  const std::string& pointer() const { return pointer_; }
  std::string pointer_of(std::string_view key) const { return child_pointer(pointer_, key); }
  bool has(std::string_view key) const;
  // The value of a required key.
  const nlohmann::json& at(std::string_view key) const;

  std::uint64_t required_unsigned(std::string_view key, std::uint64_t min, std::uint64_t max) const;
  std::uint64_t optional_unsigned(std::string_view key, std::uint64_t min, std::uint64_t max,
                                  std::uint64_t fallback) const;
  std::uint64_t required_size(std::string_view key) const;
  bool optional_bool(std::string_view key, bool fallback) const;
  double required_number(std::string_view key) const;
  // An array with min..max elements; nullptr when an optional key is absent.
  const nlohmann::json* array(std::string_view key, std::size_t min, std::size_t max, bool required) const;

 private:
  std::uint64_t checked(std::string_view key, std::uint64_t value, std::uint64_t min, std::uint64_t max) const;

  const nlohmann::json& value_;
  std::string pointer_;
};

std::string describe_choices(std::initializer_list<std::string_view> names);

// json::parse, but a key twice in one object is an error (JsonFieldError
// naming the object and the key) instead of the last one silently winning.
// nlohmann's own exceptions pass through for the caller's boundary.
nlohmann::json parse_without_duplicate_keys(std::string_view text);

// A string that must be one of the names; returns the matching value.
template <typename T>
T choice(const nlohmann::json& value, const std::string& pointer,
         std::initializer_list<std::pair<std::string_view, T>> names) {
  std::string list;
  for (const auto& [name, result] : names) {
    if (value.is_string() && value.get_ref<const std::string&>() == name) return result;
    list += list.empty() ? "" : ", ";
    list += name;
  }
  fail(pointer, "must be one of " + list + "; got " + value.dump());
}

}  // namespace cpmu::sim::detail
