// Fuzzes the sysfs PMU description parsers: each input line is a format file
// ("f NAME TEXT"), an alias or event-string term list ("e TEXT") or a CPU
// list ("c TEXT"). No crash, every error has a message, a field places and
// extracts its values losslessly, and encoded terms written back with the
// PMU's own fields encode to the same words when no two fields overlap.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cpmu/perf_pmu.hpp"

namespace {

bool fields_overlap(const cpmu::PerfPmu& pmu) {
  for (std::size_t i = 0; i < pmu.formats.size(); ++i) {
    for (std::size_t j = i + 1; j < pmu.formats.size(); ++j) {
      if (pmu.formats[i].word == pmu.formats[j].word && (pmu.formats[i].bits & pmu.formats[j].bits)) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  cpmu::PerfPmu pmu;
  pmu.name = "fuzz";
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.size() < 2) continue;
    const std::string_view body = line.substr(2);
    if (line[0] == 'f') {
      const std::size_t space = body.find(' ');
      if (space == std::string_view::npos) continue;
      auto field = cpmu::parse_perf_format(body.substr(0, space), body.substr(space + 1));
      if (!field) {
        if (field.error().message().empty()) std::abort();
        continue;
      }
      if (field->bits == 0) std::abort();
      const std::uint64_t value = 0x9e3779b97f4a7c15ULL & field->max_value();
      if (field->extract(field->place(value)) != value) std::abort();
      if ((field->place(value) & ~field->bits) != 0) std::abort();
      if (pmu.formats.size() < 64) pmu.formats.push_back(std::move(*field));
    } else if (line[0] == 'e') {
      auto terms = cpmu::parse_perf_terms(body);
      if (!terms) {
        if (terms.error().message().empty()) std::abort();
        continue;
      }
      auto config = pmu.encode(*terms, "fuzz");
      if (!config) {
        if (config.error().message().empty()) std::abort();
        continue;
      }
      if (fields_overlap(pmu)) continue;
      auto again = cpmu::parse_perf_terms(pmu.describe(*config));
      if (!again) std::abort();
      auto re = pmu.encode(*again, "fuzz");
      if (!re || *re != *config) std::abort();
    } else if (line[0] == 'c') {
      auto cpus = cpmu::parse_cpu_list(body);
      if (!cpus && cpus.error().message().empty()) std::abort();
    }
  }
  return 0;
}
