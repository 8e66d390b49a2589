// JSON field reader with pointers.
#include "json_reader.hpp"

#include <limits>
#include <set>
#include <vector>

#include <fmt/format.h>

namespace cpmu::sim::detail {

using nlohmann::json;

void fail(const std::string& pointer, std::string message) { throw JsonFieldError{pointer, std::move(message)}; }

std::string child_pointer(const std::string& parent, std::string_view key) {
  std::string out = parent + "/";
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string child_pointer(const std::string& parent, std::size_t index) {
  return parent + "/" + std::to_string(index);
}

namespace {

std::uint64_t parse_unsigned_text(const std::string& text, const std::string& pointer, bool size_suffix) {
  const auto bad = [&]() -> std::uint64_t {
    fail(pointer, fmt::format("must be a non-negative integer{}; got \"{}\"",
                              size_suffix ? " with an optional K/M/G/T suffix" : " (decimal or \"0x...\")", text));
  };
  std::string_view digits = text;
  std::uint64_t scale = 1;
  if (size_suffix && !digits.empty()) {
    const char unit = digits.back();
    const std::string_view units = "KMGT";
    if (const auto at = units.find(unit); at != std::string_view::npos) {
      scale = 1ULL << (10 * (at + 1));
      digits.remove_suffix(1);
    }
  }
  unsigned base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty()) return bad();
  std::uint64_t value = 0;
  for (char c : digits) {
    unsigned digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a' + 10);
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return bad();
    }
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / base) {
      fail(pointer, fmt::format("\"{}\" does not fit in 64 bits", text));
    }
    value = value * base + digit;
  }
  if (value > std::numeric_limits<std::uint64_t>::max() / scale) {
    fail(pointer, fmt::format("\"{}\" does not fit in 64 bits", text));
  }
  return value * scale;
}

}  // namespace

std::uint64_t parse_unsigned(const json& value, const std::string& pointer, bool size_suffix) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer()) fail(pointer, fmt::format("must not be negative; got {}", value.dump()));
  if (value.is_number_float()) fail(pointer, fmt::format("must be an integer; got {}", value.dump()));
  if (value.is_string()) return parse_unsigned_text(value.get<std::string>(), pointer, size_suffix);
  fail(pointer, fmt::format("must be a number or a string; got {}", value.type_name()));
}

JsonObject::JsonObject(const json& value, std::string pointer, std::initializer_list<std::string_view> allowed)
    : value_(value), pointer_(std::move(pointer)) {
  if (!value_.is_object()) fail(pointer_.empty() ? "/" : pointer_, fmt::format("must be an object; got {}", value_.type_name()));
  for (const auto& item : value_.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || item.key() == name;
    if (!known) fail(pointer_of(item.key()), "unknown key (expected one of " + describe_choices(allowed) + ")");
  }
}

std::string describe_choices(std::initializer_list<std::string_view> names) {
  std::string list;
  for (std::string_view name : names) {
    list += list.empty() ? "" : ", ";
    list += name;
  }
  return list;
}

bool JsonObject::has(std::string_view key) const { return value_.contains(key); }

const json& JsonObject::at(std::string_view key) const {
  const auto it = value_.find(key);
  if (it == value_.end()) fail(pointer_of(key), "required field is missing");
  return *it;
}

std::uint64_t JsonObject::checked(std::string_view key, std::uint64_t value, std::uint64_t min,
                                  std::uint64_t max) const {
  if (value < min || value > max) fail(pointer_of(key), fmt::format("must be {}..{}, got {}", min, max, value));
  return value;
}

std::uint64_t JsonObject::required_unsigned(std::string_view key, std::uint64_t min, std::uint64_t max) const {
  return checked(key, parse_unsigned(at(key), pointer_of(key)), min, max);
}

std::uint64_t JsonObject::optional_unsigned(std::string_view key, std::uint64_t min, std::uint64_t max,
                                            std::uint64_t fallback) const {
  return has(key) ? required_unsigned(key, min, max) : fallback;
}

std::uint64_t JsonObject::required_size(std::string_view key) const {
  return parse_unsigned(at(key), pointer_of(key), true);
}

bool JsonObject::optional_bool(std::string_view key, bool fallback) const {
  if (!has(key)) return fallback;
  const json& value = at(key);
  if (!value.is_boolean()) fail(pointer_of(key), fmt::format("must be true or false; got {}", value.type_name()));
  return value.get<bool>();
}

double JsonObject::required_number(std::string_view key) const {
  const json& value = at(key);
  if (!value.is_number()) fail(pointer_of(key), fmt::format("must be a number; got {}", value.type_name()));
  return value.get<double>();
}

const json* JsonObject::array(std::string_view key, std::size_t min, std::size_t max, bool required) const {
  if (!has(key)) {
    if (required) at(key);
    return nullptr;
  }
  const json& value = at(key);
  if (!value.is_array()) fail(pointer_of(key), fmt::format("must be an array; got {}", value.type_name()));
  if (value.size() < min || value.size() > max) {
    fail(pointer_of(key), fmt::format("must have {}..{} entries, got {}", min, max, value.size()));
  }
  return &value;
}

nlohmann::json parse_without_duplicate_keys(std::string_view text) {
  struct Frame {
    bool object = false;
    std::string pointer;
    std::set<std::string> keys;
    std::string key;          // objects: the key of the value to come
    std::size_t index = 0;    // arrays: the index of the value to come
  };
  std::vector<Frame> frames;
  // The pointer of the value starting now, in the innermost container.
  const auto next_pointer = [&frames]() {
    if (frames.empty()) return std::string();
    Frame& f = frames.back();
    return f.object ? child_pointer(f.pointer, f.key) : child_pointer(f.pointer, f.index++);
  };
  const json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start: {
        std::string pointer = next_pointer();
        frames.push_back({event == json::parse_event_t::object_start, std::move(pointer), {}, {}, 0});
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames.empty()) frames.pop_back();
        break;
      case json::parse_event_t::key: {
        Frame& f = frames.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) fail(child_pointer(f.pointer, f.key), "duplicate key: each key may appear once in an object");
        break;
      }
      case json::parse_event_t::value:
        if (!frames.empty() && !frames.back().object) ++frames.back().index;
        break;
    }
    return true;
  };
  return json::parse(text, check);
}

}  // namespace cpmu::sim::detail
