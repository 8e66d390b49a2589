// Fuzzes event term lists against the built-in catalogue: no crash, and every
// parsed term's code must read back through its description.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cpmu/event_term.hpp"
#include "cpmu/events.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cpmu::EventCatalogue catalogue = cpmu::load_event_catalogue(cpmu::EventSearchPath{}).catalogue;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto terms = cpmu::parse_event_terms(text, catalogue);
  if (!terms) {
    if (terms.error().message().empty()) std::abort();
    return 0;
  }
  for (const auto& term : *terms) {
    if (term.code.mask == 0) std::abort();
    const auto again = cpmu::parse_event_terms(catalogue.describe(term.code), catalogue);
    if (!again || again->size() != 1 || (*again)[0].code != term.code) std::abort();
    (void)cpmu::perf_event_config(term);
  }
  return 0;
}
