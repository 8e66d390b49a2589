// Fuzzes one catalogue file merged over the cxlsim vendor file: parsing,
// error reporting, merging and linking must never crash, and whatever loads
// must resolve consistently.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "cpmu/event_term.hpp"
#include "cpmu/events.hpp"
#include "events/embedded_catalogue.hpp"

namespace {

cpmu::EventFileLevel base_level() {
  cpmu::EventFileLevel level;
  for (const auto& file : cpmu::detail::embedded_event_files()) {
    if (file.path == "vendors/cxlsim/cxlsim.json") level.push_back({std::string(file.path), std::string(file.text)});
  }
  return level;
}

void check(bool invariant) {
  if (!invariant) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cpmu::EventFileLevel base = base_level();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::vector<cpmu::EventFileLevel> levels = {base, {{"fuzz.json", text}}};
  const cpmu::CatalogueLoad load = cpmu::build_event_catalogue(levels);
  const cpmu::EventCatalogue& catalogue = load.catalogue;
  for (const auto& issue : load.issues) check(!issue.message().empty());
  for (const auto& event : catalogue.events()) {
    check(catalogue.resolve(event.name) == event.code);
    // Whatever name describe() picks must read back as the same code.
    const auto terms = cpmu::parse_event_terms(catalogue.describe(event.code), catalogue);
    check(terms && terms->size() == 1 && (*terms)[0].code == event.code);
  }
  for (const auto& metric : catalogue.metrics()) {
    (void)metric.formula.evaluate([](std::string_view) { return 1.0; }, 1.0);
  }
  return 0;
}
