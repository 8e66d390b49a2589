// CpmuDevice: register access to one CPMU block (facts §2.1-2.6). It writes
// exactly what it is told and reads with the fewest accesses; deciding what
// to program, and when, belongs to the backend above it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "cpmu/cpmu_capabilities.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/regs/cpmu.hpp"

namespace cpmu {

using FilterWords = std::array<std::uint32_t, regs::cpmu::kFiltersPerCounter>;

// Every writable field of a Counter Configuration register plus the
// counter's filter registers. Nothing is left to what the register held
// before: the kernel ORs into the old value and so keeps stale edge/invert
// bits (facts §2.8); a CounterProgram is always written whole.
struct CounterProgram {
  bool enable = false;
  bool interrupt_on_overflow = false;
  bool freeze_on_overflow = false;
  bool edge = false;
  bool invert = false;
  std::uint8_t threshold = 0;
  std::uint32_t events = 0;
  unsigned event_group_index = 0;
  FilterWords filters = unfiltered();

  static FilterWords unfiltered();   // every filter 0xFFFFFFFF ("no filtering")
};

// The Counter Configuration word for `program`: type and reserved bits 0.
std::uint64_t counter_config_word(const CounterProgram& program);

struct CpmuSnapshot {
  std::uint64_t overflow = 0;          // Overflow Status, only the counters read
  // Unfrozen snapshots: counters whose bit appeared at the second status
  // read, and were read again after it.
  std::uint64_t reread = 0;
  std::vector<std::uint64_t> values;   // one per counter read, in the order asked
  bool device_gone = false;            // registers read all ones: nothing else is valid
};

class CpmuDevice {
 public:
  CpmuDevice(std::unique_ptr<Mmio> mmio, CpmuCapabilities caps);

  const CpmuCapabilities& capabilities() const { return caps_; }
  Mmio& mmio() { return *mmio_; }

  void write_config(unsigned counter, std::uint64_t word);
  // All filter registers of the counter, one 32-bit write each (filters are
  // 32-bit registers; 64-bit writes at their addresses were a kernel bug).
  void write_filters(unsigned counter, const FilterWords& filters);
  void write_value(unsigned counter, std::uint64_t value);
  // Config, then filters, then value 0.
  void program(unsigned counter, const CounterProgram& program);

  std::uint64_t read_config(unsigned counter);
  std::uint32_t read_filter(unsigned counter, unsigned filter);
  std::uint64_t read_value(unsigned counter);

  void write_freeze(std::uint64_t mask);   // 0 unfreezes
  std::uint64_t read_overflow();
  void clear_overflow(std::uint64_t bits);   // RW1C: writes exactly these bits

  // One read of the Capability register: all ones means the device is gone.
  bool gone();

  // Reads and clears the Overflow Status bits of `counters`, then reads their
  // values: counters + 1 reads, plus one write when a bit was set. Clearing
  // before reading the values means a wrap after the status read shows in
  // the next snapshot rather than being lost. `frozen`: the caller froze
  // these counters, so values and bits are of one instant. Unfrozen, a wrap
  // between the status read and the value read would show in the value and
  // leave its bit for the next snapshot (a false lap there), so the status
  // is read once more after the values (one more read) and the counters
  // whose bit appeared are cleared and read again: bit and value then
  // belong together. All-ones reads cost one more read, of the Capability
  // register, to tell a vanished device from real values.
  void snapshot(std::span<const unsigned> counters, bool frozen, CpmuSnapshot& out);

 private:
  std::unique_ptr<Mmio> mmio_;
  CpmuCapabilities caps_;
  std::uint64_t value_mask_;
};

}  // namespace cpmu
