#include "cpmu/text_glyphs.hpp"

#include <langinfo.h>

#include <cctype>
#include <string>

namespace cpmu {

const TextGlyphs& unicode_glyphs() {
  static const TextGlyphs glyphs{"\u251c\u2500", "\u2514\u2500", "\u2502", "\u00d7"};
  return glyphs;
}

const TextGlyphs& ascii_glyphs() {
  static const TextGlyphs glyphs{"|-", "`-", "|", "x"};
  return glyphs;
}

bool locale_is_utf8() {
  // glibc says "UTF-8"; other C libraries have been seen to say "utf8".
  std::string codeset;
  for (const char* c = ::nl_langinfo(CODESET); c != nullptr && *c != '\0'; ++c) {
    if (*c != '-') codeset += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
  }
  return codeset == "utf8";
}

const TextGlyphs& locale_glyphs() { return locale_is_utf8() ? unicode_glyphs() : ascii_glyphs(); }

}  // namespace cpmu
