#include "counting/cpmu_device.hpp"

#include <utility>

namespace cpmu {

namespace reg = regs::cpmu;
namespace cfg = regs::cpmu::counter_cfg;

FilterWords CounterProgram::unfiltered() {
  FilterWords words;
  words.fill(reg::filter::kDisabled);
  return words;
}

std::uint64_t counter_config_word(const CounterProgram& p) {
  return cfg::kEnable.make(p.enable) | cfg::kIntOnOverflow.make(p.interrupt_on_overflow) |
         cfg::kFreezeOnOverflow.make(p.freeze_on_overflow) | cfg::kEdge.make(p.edge) | cfg::kInvert.make(p.invert) |
         cfg::kThreshold.make(p.threshold) | cfg::kEvents.make(p.events) |
         cfg::kEventGroupIndex.make(p.event_group_index);
}

CpmuDevice::CpmuDevice(std::unique_ptr<Mmio> mmio, CpmuCapabilities caps)
    : mmio_(std::move(mmio)),
      caps_(std::move(caps)),
      value_mask_(regs::bits(caps_.counter_width - 1, 0).max()) {}

void CpmuDevice::write_config(unsigned counter, std::uint64_t word) {
  mmio_->write64(reg::counter_config(counter), word);
}

void CpmuDevice::write_filters(unsigned counter, const FilterWords& filters) {
  for (unsigned f = 0; f < filters.size(); ++f) mmio_->write32(reg::filter_config(counter, f), filters[f]);
}

void CpmuDevice::write_value(unsigned counter, std::uint64_t value) {
  mmio_->write64(reg::counter_value(counter), value);
}

void CpmuDevice::program(unsigned counter, const CounterProgram& program) {
  write_config(counter, counter_config_word(program));
  write_filters(counter, program.filters);
  write_value(counter, 0);
}

std::uint64_t CpmuDevice::read_config(unsigned counter) { return mmio_->read64(reg::counter_config(counter)); }

std::uint32_t CpmuDevice::read_filter(unsigned counter, unsigned filter) {
  return mmio_->read32(reg::filter_config(counter, filter));
}

std::uint64_t CpmuDevice::read_value(unsigned counter) { return mmio_->read64(reg::counter_value(counter)); }

void CpmuDevice::write_freeze(std::uint64_t mask) { mmio_->write64(reg::kFreeze, mask); }

std::uint64_t CpmuDevice::read_overflow() { return mmio_->read64(reg::kOverflowStatus); }

void CpmuDevice::clear_overflow(std::uint64_t bits) { mmio_->write64(reg::kOverflowStatus, bits); }

bool CpmuDevice::gone() { return mmio_->read64(reg::kCapability) == ~0ULL; }

void CpmuDevice::snapshot(std::span<const unsigned> counters, bool frozen, CpmuSnapshot& out) {
  out.values.resize(counters.size());
  out.device_gone = false;
  out.reread = 0;
  std::uint64_t ours = 0;
  for (unsigned n : counters) ours |= 1ULL << n;
  const std::uint64_t status = read_overflow();
  out.overflow = status & ours;
  // Bits above the last counter are reserved and read 0, and values have
  // only `width` bits: all ones in either is a vanished device unless the
  // Capability register says otherwise (a CPMU with 64 counters or 64-bit
  // values can read all ones for real).
  if (status == ~0ULL && gone()) {
    out.device_gone = true;
    return;
  }
  if (out.overflow != 0) clear_overflow(out.overflow);
  bool suspicious = false;
  const auto read_values = [&](std::uint64_t only) {
    for (std::size_t i = 0; i < counters.size(); ++i) {
      if (((only >> counters[i]) & 1) == 0) continue;
      out.values[i] = read_value(counters[i]);
      suspicious = suspicious || out.values[i] > value_mask_ || out.values[i] == ~0ULL;
    }
  };
  read_values(ours);
  if (!frozen) {
    const std::uint64_t again = read_overflow();
    out.reread = again == ~0ULL ? 0 : again & ours;
    if (again == ~0ULL) suspicious = true;
    if (out.reread != 0) {
      clear_overflow(out.reread);
      read_values(out.reread);
      out.overflow |= out.reread;
    }
  }
  out.device_gone = suspicious && gone();
}

}  // namespace cpmu
