// SimPlatform: the Platform calls mapped onto SimulatedMachine calls.
#include "cxlsim/sim_platform.hpp"

#include <fmt/format.h>

#include "cpmu/regs/pci_config.hpp"

namespace cpmu::sim {
namespace {

// A BAR window onto the machine. It shares ownership of the machine, so a
// mapping stays valid even if the platform goes first.
class SimMmio final : public Mmio {
 public:
  SimMmio(std::shared_ptr<SimulatedMachine> machine, const PciAddress& address, unsigned bar, std::uint64_t base,
          std::uint64_t size)
      : machine_(std::move(machine)), address_(address), bar_(bar), base_(base), size_(size) {}

  std::uint64_t size() const override { return size_; }
  std::uint32_t read32(std::uint64_t offset) override { return static_cast<std::uint32_t>(read(offset, 4)); }
  std::uint64_t read64(std::uint64_t offset) override { return read(offset, 8); }
  void write32(std::uint64_t offset, std::uint32_t value) override { write(offset, 4, value); }
  void write64(std::uint64_t offset, std::uint64_t value) override { write(offset, 8, value); }

 private:
  bool inside(std::uint64_t offset, unsigned size) const {
    return offset % size == 0 && offset < size_ && size_ - offset >= size;
  }
  // Out-of-window or misaligned accesses are caller bugs: all ones, as the
  // Mmio contract says (and as a bus error would look).
  std::uint64_t read(std::uint64_t offset, unsigned size) {
    const std::uint64_t ones = size == 8 ? ~0ULL : 0xffff'ffffULL;
    if (!inside(offset, size)) return ones;
    return machine_->mmio_read(address_, bar_, base_ + offset, size).value_or(ones);
  }
  void write(std::uint64_t offset, unsigned size, std::uint64_t value) {
    if (inside(offset, size)) static_cast<void>(machine_->mmio_write(address_, bar_, base_ + offset, size, value));
  }

  std::shared_ptr<SimulatedMachine> machine_;
  PciAddress address_;
  unsigned bar_;
  std::uint64_t base_;
  std::uint64_t size_;
};

Status check_config_offset(const PciAddress& address, unsigned offset) {
  if (offset % 4 != 0 || offset >= regs::pci::kConfigSize) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("{}: config offset {:#x} must be a multiple of 4 below {:#x}", address.to_string(), offset,
                             regs::pci::kConfigSize));
  }
  return {};
}

}  // namespace

Result<std::vector<PciFunctionInfo>> SimPlatform::enumerate() { return machine_->functions(); }

Result<std::vector<std::uint8_t>> SimPlatform::read_config(const PciAddress& address, bool /*allow_partial*/) {
  return machine_->config_bytes(address);
}

Result<std::uint32_t> SimPlatform::config_read32(const PciAddress& address, unsigned offset) {
  if (Status ok = check_config_offset(address, offset); !ok) return ok.error();
  return machine_->config_read(address, offset, 4);
}

Status SimPlatform::config_write32(const PciAddress& address, unsigned offset, std::uint32_t value) {
  if (Status ok = check_config_offset(address, offset); !ok) return ok;
  return machine_->config_write(address, offset, 4, value);
}

Result<std::unique_ptr<Mmio>> SimPlatform::map_bar(const PciAddress& address, unsigned bar, std::uint64_t offset,
                                                   std::uint64_t size) {
  Result<PciFunctionInfo> info = machine_->function(address);
  if (!info) return info.error();
  for (const BarInfo& b : info->bars) {
    if (b.index != bar) continue;
    if (size == 0 || offset >= b.size || b.size - offset < size) {
      return Error(Errc::kInvalidArgument,
                   fmt::format("{}: window [{:#x}, {:#x}) does not fit in BAR {} ({:#x} bytes)", address.to_string(),
                               offset, offset + size, bar, b.size));
    }
    return std::unique_ptr<Mmio>(std::make_unique<SimMmio>(machine_, address, bar, offset, size));
  }
  return Error(Errc::kNotFound, fmt::format("{}: BAR {} is not implemented", address.to_string(), bar));
}

Result<std::unique_ptr<InterruptSource>> SimPlatform::interrupt(const PciAddress& address, unsigned vector) {
  return machine_->subscribe(address, vector);
}

Result<std::unique_ptr<SimPlatform>> open_sim_platform(const TopologySpec& topology, ClockMode mode) {
  std::shared_ptr<Clock> clock;
  if (mode == ClockMode::kVirtual) {
    clock = std::make_shared<VirtualClock>();
  } else {
    clock = std::make_shared<RealClock>();
  }
  Result<std::unique_ptr<SimulatedMachine>> machine = SimulatedMachine::create(topology, std::move(clock));
  if (!machine) return machine.error();
  return std::make_unique<SimPlatform>(std::shared_ptr<SimulatedMachine>(std::move(*machine)));
}

Result<std::unique_ptr<SimPlatform>> open_sim_platform(const std::optional<std::string>& topology_file,
                                                       ClockMode mode) {
  Result<TopologySpec> topology = topology_file ? load_topology_file(*topology_file) : default_topology();
  if (!topology) return topology.error();
  return open_sim_platform(*topology, mode);
}

}  // namespace cpmu::sim
