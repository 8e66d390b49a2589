#include "events/json_locator.hpp"

#include <set>
#include <vector>

namespace cpmu::detail {

TextPosition position_at(std::string_view text, std::size_t offset) {
  TextPosition pos;
  const std::size_t end = offset < text.size() ? offset : text.size();
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

std::string json_pointer_token(std::string_view key) {
  std::string token;
  for (char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

namespace {

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

unsigned long hex4(std::string_view text, std::size_t at) {
  unsigned long value = 0;
  for (std::size_t i = at; i < at + 4 && i < text.size(); ++i) {
    const char c = text[i];
    const unsigned digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value * 16 + digit;
  }
  return value;
}

// Decodes the string starting at the quote `text[i]`, the way nlohmann does,
// so keys compare equal to the parsed document's. Leaves i after the closing quote.
std::string read_string(std::string_view text, std::size_t& i) {
  std::string out;
  for (++i; i < text.size() && text[i] != '"'; ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    const char e = i + 1 < text.size() ? text[++i] : '\\';
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        unsigned long cp = hex4(text, i + 1);
        i += 4;
        // Valid JSON pairs a high surrogate with a following "\uDC00".."\uDFFF".
        if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < text.size() && text[i + 1] == '\\') {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(text, i + 3) - 0xdc00);
          i += 6;
        }
        append_utf8(out, cp);
        break;
      }
      default: out += e; break;  // \" \\ \/
    }
  }
  ++i;
  return out;
}

struct Frame {
  bool object;
  std::size_t path_length;  // of the container's own pointer
  std::size_t next_index = 0;
  std::set<std::string> keys;
};

}  // namespace

JsonLocator::JsonLocator(std::string_view text) {
  std::vector<Frame> stack;
  std::string path;
  std::size_t line = 1;
  bool expect_key = false;

  // Array elements get their pointer when they start; object members when their key is read.
  auto begin_value = [&] {
    if (stack.empty() || stack.back().object) return;
    Frame& array = stack.back();
    path.resize(array.path_length);
    path += '/' + std::to_string(array.next_index++);
    lines_.emplace(path, line);
  };

  lines_.emplace("", 1);
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (c == '{' || c == '[') {
      begin_value();
      stack.push_back(Frame{c == '{', path.size(), 0, {}});
      expect_key = c == '{';
      ++i;
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
      path.resize(stack.empty() ? 0 : stack.back().path_length);
      expect_key = false;
      ++i;
    } else if (c == ',') {
      expect_key = !stack.empty() && stack.back().object;
      ++i;
    } else if (c == '"') {
      if (expect_key) {
        Frame& object = stack.back();
        const std::string key = read_string(text, i);
        path.resize(object.path_length);
        path += '/' + json_pointer_token(key);
        lines_.emplace(path, line);
        if (!object.keys.insert(key).second && !duplicate_key_) duplicate_key_ = Duplicate{path, line};
        expect_key = false;
      } else {
        begin_value();
        read_string(text, i);
      }
    } else if (c == ':' || c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else {
      begin_value();  // a number, true, false or null
      // Any structural character ends it (also past a byte-order mark).
      do {
        ++i;
      } while (i < text.size() && std::string_view(",:{}[]\" \t\r\n").find(text[i]) == std::string_view::npos);
    }
  }
}

std::size_t JsonLocator::line_of(std::string_view pointer) const {
  std::string p(pointer);
  for (;;) {
    if (auto it = lines_.find(p); it != lines_.end()) return it->second;
    const auto slash = p.rfind('/');
    if (slash == std::string::npos) return 1;
    p.resize(slash);
  }
}

}  // namespace cpmu::detail

