// A kernel perf PMU as sysfs describes it (/sys/bus/event_source/devices/
// <pmu>/): its `type`, the CPUs it counts on (`cpumask`, or `cpus`), every
// `format/<term>` bit range of perf_event_attr's config words and every
// `events/<alias>` with its `.scale` and `.unit`. General over every PMU -
// cxl_pmu_memX.Y, software, msr, power, cpu, uncore_* - so one reader and one
// encoder serve the perf backend, the perf event-string syntax and
// `cpmu perf events`. Errors name the file and the 1-based position in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/pci_address.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

enum class PerfConfigWord : std::uint8_t { kConfig, kConfig1, kConfig2, kConfig3 };
CPMU_API std::string_view perf_config_word_name(PerfConfigWord word);  // "config", "config1", ...

// perf_event_attr's config words for one event.
struct PerfConfig {
  std::uint64_t config = 0;
  std::uint64_t config1 = 0;
  std::uint64_t config2 = 0;
  std::uint64_t config3 = 0;
  std::uint64_t& word(PerfConfigWord which);
  std::uint64_t word(PerfConfigWord which) const;
  bool operator==(const PerfConfig&) const = default;
};

// format/<name>: e.g. "config:0-31", "config1:16", "config:0-7,32-35".
struct CPMU_API PerfFormatField {
  std::string name;
  PerfConfigWord word = PerfConfigWord::kConfig;
  std::uint64_t bits = 0;  // the bits of `word` it occupies (never 0)

  unsigned width() const;
  // The largest value the field holds.
  std::uint64_t max_value() const;
  // Value bit i goes to the i-th lowest bit of the field, as perf places it
  // (split ranges are one field). The value must fit width().
  std::uint64_t place(std::uint64_t value) const;
  std::uint64_t extract(std::uint64_t word_value) const;
  // "config:0-7,32-35": the field as the kernel writes it.
  std::string describe() const;
};

// One term of an event alias or an event string: "event=0x3c", "edge" (a
// flag: value 1), "umask=?" (the user must supply it).
struct PerfTerm {
  std::string name;
  std::optional<std::uint64_t> value;  // empty: a bare flag, or a placeholder
  bool placeholder = false;            // "name=?"
  std::size_t position = 0;            // 1-based, in the text it came from
  bool operator==(const PerfTerm& other) const {
    return name == other.name && value == other.value && placeholder == other.placeholder;
  }
};

// events/<name>, with events/<name>.scale and events/<name>.unit.
struct PerfEventAlias {
  std::string name;
  std::string text;  // the file's terms, trimmed
  std::vector<PerfTerm> terms;
  std::optional<double> scale;
  std::string unit;
};

struct CPMU_API PerfPmu {
  std::string name;       // the directory's name: "cxl_pmu_mem0.0"
  std::string directory;  // where it was read
  std::uint32_t type = 0;
  // CPUs an event of this PMU is opened on (cpumask or cpus, all online).
  // Empty when the PMU names none: it counts on any CPU (software, msr).
  std::vector<unsigned> cpus;
  std::vector<PerfFormatField> formats;  // by name
  std::vector<PerfEventAlias> events;    // by name

  const PerfFormatField* find_format(std::string_view term) const;
  const PerfEventAlias* find_event(std::string_view alias) const;
  // The config words of `terms`: each a format field of this PMU or one of
  // config, config1, config2, config3. Errors name the term and its position
  // (after `where`): unknown term, value wider than its field, a placeholder
  // without a value, two terms setting the same bits.
  Result<PerfConfig> encode(const std::vector<PerfTerm>& terms, std::string_view where) const;
  // The terms of `config` written with this PMU's format fields, the way the
  // kernel would accept them back ("mask=0x2,gid=0x10,vid=0x1e98"); bits no
  // field covers are given as raw configN= words.
  std::string describe(const PerfConfig& config) const;
};

// Parsers of single files' text; errors name the 1-based position.
CPMU_API Result<PerfFormatField> parse_perf_format(std::string_view name, std::string_view text);
CPMU_API Result<std::vector<PerfTerm>> parse_perf_terms(std::string_view text);
// A kernel CPU list: "0", "0-3,8", "" (none).
CPMU_API Result<std::vector<unsigned>> parse_cpu_list(std::string_view text);

struct PerfPmuReadOptions {
  // Where the online CPUs are listed: every CPU the PMU names must be online.
  std::string online_cpus = "/sys/devices/system/cpu/online";
};

// Reads the PMU at `directory`. Fails, naming the file and position, on a
// missing or malformed type, a bad or offline cpumask, a malformed or
// out-of-range format, an alias with unknown terms or a bad scale.
CPMU_API Result<PerfPmu> read_perf_pmu(const std::string& directory, const PerfPmuReadOptions& options = {});

// The PMU names under <event_source_root>/devices, sorted.
CPMU_API std::vector<std::string> list_perf_pmus(const std::string& event_source_root);

// The CXL device a perf PMU belongs to, read from its sysfs parents: the
// kernel registers cxl_pmu_memX.Y below the pmu_memX.Y device, whose parent is
// the PCI function (facts §2.10); Y is the CPMU's instance. Empty for a PMU
// that is not there.
struct PerfPmuCxlDevice {
  std::string kernel_device;  // "pmu_mem0.1"
  PciAddress function;
  unsigned instance = 0;
};
CPMU_API std::optional<PerfPmuCxlDevice> perf_pmu_cxl_device(const std::string& pmu_directory);

// The name of the perf PMU under <event_source_root>/devices whose CXL device
// is CPMU `instance` of `function`, if the kernel exposes one.
CPMU_API std::optional<std::string> find_cxl_perf_pmu(const std::string& event_source_root, const PciAddress& function,
                                                      unsigned instance);

}  // namespace cpmu
