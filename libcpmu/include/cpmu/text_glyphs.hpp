// The characters text output draws with: Unicode box drawing and signs where
// the terminal's character set is UTF-8, plain ASCII stand-ins otherwise, so
// that every front end (cpmu, cpmutop) makes the same choice in one place.
#pragma once

#include "cpmu/export.hpp"

#include <string_view>

namespace cpmu {

struct TextGlyphs {
  std::string_view branch;    // a tree child with siblings after it: "├─" or "|-"
  std::string_view last;      // the last child: "└─" or "`-"
  std::string_view vertical;  // the line down past a child: "│" or "|"
  std::string_view times;     // "8 counters × 48 bit": "×" or "x"
};

CPMU_API const TextGlyphs& unicode_glyphs();
CPMU_API const TextGlyphs& ascii_glyphs();

// Whether the locale's character set (LC_CTYPE) is UTF-8. Reads the locale
// the program chose: it must call setlocale(LC_CTYPE, "") (or LC_ALL) first,
// or this is the "C" locale's answer, which is no.
CPMU_API bool locale_is_utf8();

// unicode_glyphs() where locale_is_utf8(), else ascii_glyphs().
CPMU_API const TextGlyphs& locale_glyphs();

}  // namespace cpmu
