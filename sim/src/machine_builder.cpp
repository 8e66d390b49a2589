// build_machine_state: turns a TopologySpec into functions. Walks each host
// bridge depth first, numbering buses and placing BARs like firmware would
// (every bridge window covers exactly what is below it), then builds each
// function's config space and models once everything below it exists.
#include <algorithm>
#include <bit>
#include <tuple>

#include <fmt/format.h>

#include "cpmu/regs/cdat.hpp"
#include "cpmu/regs/cpmu.hpp"
#include "cpmu/regs/cxl_dvsec.hpp"
#include "cpmu/regs/doe.hpp"
#include "cpmu/regs/register_blocks.hpp"
#include "cxlsim/device_traffic.hpp"
#include "machine_state.hpp"

namespace cpmu::sim {
namespace {

namespace block_id = regs::dvsec::block_id;

// A believable 32-bit MMIO window for the CXL hierarchy, as firmware might leave it.
constexpr std::uint64_t kMmioWindowStart = 0xa000'0000;
constexpr std::uint64_t kBridgeWindowGranularity = 1ULL << regs::pci::kWindowShift;
// Register blocks sit at 64 KiB-aligned BAR offsets (the Register Locator's
// offset field has 64 KiB granularity, facts §1.4): one slot per block.
constexpr std::uint64_t kBlockSlot = 0x1'0000;
constexpr std::uint64_t kMsixRegionSize = 0x1000;
constexpr std::uint32_t kPbaOffset = 0x800;
constexpr unsigned kComponentBar = 0;
constexpr unsigned kDeviceBar = 2;   // endpoints: memory device and CPMU blocks
constexpr unsigned kMsixBar = 4;     // endpoints: the MSI-X table
constexpr std::uint32_t kBridgeClass = 0x060400;
constexpr std::uint64_t kPsPerNs = 1'000;

std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

// Where each block of a function lives, before BAR bases are known.
struct BarPlan {
  std::vector<BarAssignment> bars;
  std::vector<BlockMapping> blocks;
  std::vector<RegisterBlockEntry> locator;
  MsixLayout msix;
};

BarPlan plan_bars(FunctionKind kind, unsigned cpmus, unsigned msix_vectors) {
  BarPlan plan;
  const bool endpoint = kind == FunctionKind::kEndpoint;
  const unsigned cpmu_bar = endpoint ? kDeviceBar : kComponentBar;
  plan.blocks.push_back({BlockKind::kComponent, 0, kComponentBar, 0, regs::component::kBlockSize, {}});
  plan.locator.push_back({kComponentBar, block_id::kComponent, 0});
  if (endpoint) {
    plan.blocks.push_back({BlockKind::kMemoryDevice, 0, kDeviceBar, 0, regs::memdev::kBlockSize, {}});
    plan.locator.push_back({kDeviceBar, block_id::kMemoryDevice, 0});
  }
  for (unsigned i = 0; i < cpmus; ++i) {
    // Slot 0 of the CPMU BAR holds the component or memory-device block.
    const std::uint64_t offset = kBlockSlot * (i + 1);
    plan.blocks.push_back({BlockKind::kCpmu, i, cpmu_bar, offset, regs::cpmu::kBlockSize, {}});
    plan.locator.push_back({cpmu_bar, block_id::kCpmu, offset});
  }
  const std::uint64_t cpmu_bar_size = std::bit_ceil(kBlockSlot * (cpmus + 1));
  if (endpoint) {
    plan.bars = {{kComponentBar, 0, regs::component::kBlockSize}, {kDeviceBar, 0, cpmu_bar_size},
                 {kMsixBar, 0, kMsixRegionSize}};
    plan.msix = {kMsixBar, 0, kPbaOffset, msix_vectors};
  } else {
    // Bridges have only two BAR slots: one 64-bit BAR holds everything, the
    // MSI-X table in the slot after the last CPMU.
    const std::uint64_t msix = kBlockSlot * (cpmus + 1);
    plan.bars = {{kComponentBar, 0, std::bit_ceil(msix + kBlockSlot)}};
    plan.msix = {kComponentBar, static_cast<std::uint32_t>(msix), static_cast<std::uint32_t>(msix + kPbaOffset),
                 msix_vectors};
  }
  plan.blocks.push_back({BlockKind::kMsixTable, 0, plan.msix.bar, plan.msix.table_offset, kMsixRegionSize, {}});
  return plan;
}

LinkLayout link_layout(const LinkSpec& link, unsigned port_number, bool up) {
  return LinkLayout{link.speed_code, link.width, port_number, up};
}

class Builder {
 public:
  explicit Builder(SimulatedMachine::State& state) : state_(state) {}

  Status host_bridge(const HostBridgeSpec& bridge);

 private:
  // A function is created in two steps: begin() gives it an address and its
  // BARs (pre-order, so bridge windows can cover what follows), finish()
  // builds config space and models (post-order, once children exist).
  struct Pending {
    std::size_t index;
    BarPlan plan;
    std::uint64_t window_start;   // bridges: where the BARs below them start
    std::uint64_t after_bars;     // the allocation point right after the function's own BARs
  };

  Result<Pending> begin(FunctionKind kind, const PciAddress& address, std::optional<std::size_t> parent,
                        const FunctionSpec& spec);
  Status finish(Pending& pending, FunctionLayout layout, const FunctionSpec& spec, std::optional<DoeSpec> doe,
                std::unique_ptr<TrafficSource> traffic, std::optional<unsigned> hdm_decoders);
  Result<std::unique_ptr<TrafficSource>> aggregate(const Pending& pending, std::uint64_t clock_hz) const;
  void close_bridge(const Pending& pending, FunctionLayout& layout, std::uint8_t primary, std::uint8_t secondary);
  // A port, once everything below it is built: its traffic is their sum.
  Result<std::size_t> finish_port(Pending& pending, const FunctionSpec& spec, const LinkLayout& link,
                                  std::uint8_t bus, std::uint8_t secondary, std::uint64_t clock_hz,
                                  std::optional<DoeSpec> doe, std::optional<unsigned> hdm_decoders);

  Result<std::uint8_t> allocate_bus(const std::string& where);
  Result<std::size_t> endpoint(const EndpointSpec& spec, std::uint8_t bus, const LinkLayout& link,
                               std::size_t parent);
  Result<std::size_t> downstream_port(const DownstreamPortSpec& spec, std::uint8_t bus, unsigned device,
                                      std::size_t parent);
  Result<std::size_t> upstream_port(const SwitchSpec& spec, std::uint8_t bus, const LinkLayout& link,
                                    std::size_t parent);
  Result<std::size_t> root_port(const RootPortSpec& spec, std::uint8_t bus);

  SimFunction& function(std::size_t index) { return *state_.functions[index]; }

  SimulatedMachine::State& state_;
  std::uint64_t next_mmio_ = kMmioWindowStart;
  std::uint16_t domain_ = 0;
  unsigned next_bus_ = 0;
};

Result<Builder::Pending> Builder::begin(FunctionKind kind, const PciAddress& address,
                                        std::optional<std::size_t> parent, const FunctionSpec& spec) {
  auto f = std::make_unique<SimFunction>();
  f->address = address;
  f->kind = kind;
  f->parent = parent;
  Pending pending{state_.functions.size(), plan_bars(kind, static_cast<unsigned>(spec.cpmus.size()), spec.faults.msix_vectors), 0, 0};
  for (BarAssignment& bar : pending.plan.bars) {
    bar.base = align_up(next_mmio_, bar.size);
    next_mmio_ = bar.base + bar.size;
  }
  pending.after_bars = next_mmio_;
  if (kind != FunctionKind::kEndpoint) {
    pending.window_start = align_up(next_mmio_, kBridgeWindowGranularity);
    next_mmio_ = pending.window_start;
  }
  if (parent) function(*parent).children.push_back(pending.index);
  state_.by_address.emplace(address, f.get());
  state_.functions.push_back(std::move(f));
  return pending;
}

void Builder::close_bridge(const Pending& pending, FunctionLayout& layout, std::uint8_t primary,
                           std::uint8_t secondary) {
  layout.buses = {primary, secondary, static_cast<std::uint8_t>(next_bus_ - 1)};
  if (next_mmio_ == pending.window_start) {
    next_mmio_ = pending.after_bars;   // nothing below: the window stays closed and takes no space
    return;
  }
  const std::uint64_t end = align_up(next_mmio_, kBridgeWindowGranularity);
  layout.window_base = pending.window_start;
  layout.window_limit = end - 1;
  next_mmio_ = end;
}

Result<std::size_t> Builder::finish_port(Pending& pending, const FunctionSpec& spec, const LinkLayout& link,
                                         std::uint8_t bus, std::uint8_t secondary, std::uint64_t clock_hz,
                                         std::optional<DoeSpec> doe, std::optional<unsigned> hdm_decoders) {
  FunctionLayout layout;
  layout.identity = {spec.ids.vendor_id, spec.ids.device_id, kBridgeClass, spec.ids.revision, 0};
  layout.link = link;
  close_bridge(pending, layout, bus, secondary);
  Result<std::unique_ptr<TrafficSource>> traffic = aggregate(pending, clock_hz);
  if (!traffic) return traffic.error().context(function(pending.index).address.to_string());
  if (Status ok = finish(pending, std::move(layout), spec, std::move(doe), std::move(*traffic), hdm_decoders); !ok) {
    return ok.error();
  }
  return pending.index;
}

Result<std::unique_ptr<TrafficSource>> Builder::aggregate(const Pending& pending, std::uint64_t clock_hz) const {
  std::vector<const TrafficSource*> children;
  for (std::size_t child : state_.functions[pending.index]->children) {
    children.push_back(state_.functions[child]->traffic.get());
  }
  if (Status ok = AggregateTraffic::validate(children, clock_hz); !ok) return ok.error();
  return std::unique_ptr<TrafficSource>(std::make_unique<AggregateTraffic>(std::move(children), clock_hz));
}

Status Builder::finish(Pending& pending, FunctionLayout layout, const FunctionSpec& spec, std::optional<DoeSpec> doe,
                       std::unique_ptr<TrafficSource> traffic, std::optional<unsigned> hdm_decoders) {
  SimFunction& f = function(pending.index);
  const std::string where = f.address.to_string();
  layout.kind = f.kind;
  layout.bars = pending.plan.bars;
  layout.msix = pending.plan.msix;
  layout.register_blocks = pending.plan.locator;
  layout.doe = doe.has_value();
  layout.capability_loop = spec.faults.capability_loop;
  layout.dvsec_length_past_config_space = spec.faults.dvsec_length_past_config_space;
  if (spec.faults.locator_offset_past_bar) {
    RegisterBlockEntry& last = layout.register_blocks.back();
    for (const BarAssignment& bar : layout.bars) {
      if (bar.index == last.bar) last.offset = bar.size + kBlockSlot;
    }
  }
  Result<FunctionConfig> config = build_function_config(layout);
  if (!config) return config.error().context(where);
  f.config = std::move(*config);
  f.bars = layout.bars;
  f.blocks = pending.plan.blocks;
  f.msix_table.assign(spec.faults.msix_vectors * regs::pci::msix::kEntrySize, 0);

  Result<RegisterImage> component = component_block_image(hdm_decoders);
  if (!component) return component.error().context(where);
  f.component = std::move(*component);
  if (f.kind == FunctionKind::kEndpoint) f.memory_device = memory_device_block_image();

  if (doe) {
    f.doe = std::make_unique<DoeModel>(std::move(*doe));
    if (spec.faults.doe != DoeFault::kNone) f.doe->inject(spec.faults.doe);
    DoeModel* model = f.doe.get();
    namespace d = regs::doe;
    Status hooked = f.config.space.add_hook(
        *f.config.doe_offset + d::kCapabilities, d::kCapSize - d::kCapabilities,
        [model](unsigned offset, unsigned size) {
          const unsigned reg = d::kCapabilities + offset;
          const std::uint32_t dw = model->read(reg & ~3u);
          const std::uint32_t mask = size == 4 ? 0xffff'ffffu : (1u << (8 * size)) - 1;
          return (dw >> (8 * (reg & 3u))) & mask;
        },
        // The mailbox registers take whole DWs; narrower writes are dropped, as QEMU drops them.
        [model](unsigned offset, unsigned size, std::uint32_t value) {
          if (size == 4) model->write(d::kCapabilities + offset, value);
        });
    if (!hooked) return hooked.error().context(where);
  }

  f.traffic = std::move(traffic);
  SimulatedMachine::State* state = &state_;
  SimFunction* self = &f;
  for (const CpmuSpec& cpmu : spec.cpmus) {
    f.cpmus.push_back(std::make_unique<CpmuModel>(cpmu, *f.traffic,
                                                  [state, self](unsigned msi, std::uint64_t wraps) { state->raise(*self, msi, wraps); }));
  }
  for (const StuckCounterFault& stuck : spec.faults.stuck_counters) f.cpmus.at(stuck.cpmu)->set_stuck(stuck.counter, true);
  f.storms.assign(spec.cpmus.size(), false);
  for (unsigned cpmu : spec.faults.interrupt_storms) f.storms.at(cpmu) = true;
  f.removal_ns = spec.faults.surprise_removal_ns;
  return {};
}

Result<std::uint8_t> Builder::allocate_bus(const std::string& where) {
  if (next_bus_ > 0xff) return Error(Errc::kInvalidArgument, fmt::format("{}: no bus number left below it (the topology needs more than 256 buses)", where));
  return static_cast<std::uint8_t>(next_bus_++);
}

Result<std::size_t> Builder::endpoint(const EndpointSpec& spec, std::uint8_t bus, const LinkLayout& link,
                                      std::size_t parent) {
  Result<Pending> pending = begin(FunctionKind::kEndpoint, {domain_, bus, 0, 0}, parent, spec.function);
  if (!pending) return pending.error();
  FunctionLayout layout;
  layout.identity = {spec.function.ids.vendor_id, spec.function.ids.device_id, spec.class_code,
                     spec.function.ids.revision, 0};
  layout.link = {link.speed_code, link.width, 0, true};
  layout.serial = spec.serial;
  std::vector<MemoryRangePerf> perf;
  std::uint64_t dpa = 0;
  for (const MemoryRangeSpec& range : spec.memory) {
    layout.memory_ranges.push_back(range.size);
    perf.push_back({dpa, range.size, range.persistent, range.read_latency_ns * kPsPerNs,
                    range.write_latency_ns * kPsPerNs, range.read_bandwidth_mbps, range.write_bandwidth_mbps});
    dpa += range.size;
  }
  const std::string where = function(pending->index).address.to_string();
  Result<CdatEntries> cdat = build_endpoint_cdat(perf, spec.function.faults.cdat);
  if (!cdat) return cdat.error().context(where);
  if (Status ok = DeviceTraffic::validate(spec.traffic); !ok) return ok.error().context(where);
  if (Status ok = finish(*pending, std::move(layout), spec.function, DoeSpec{false, 0, std::move(*cdat)},
                         std::make_unique<DeviceTraffic>(spec.traffic), spec.traffic.hdm_decoders);
      !ok) {
    return ok.error();
  }
  return pending->index;
}

Result<std::size_t> Builder::downstream_port(const DownstreamPortSpec& spec, std::uint8_t bus, unsigned device,
                                             std::size_t parent) {
  Result<Pending> pending = begin(FunctionKind::kDownstreamPort, {domain_, bus, static_cast<std::uint8_t>(device), 0},
                                  parent, spec.function);
  if (!pending) return pending.error();
  Result<std::uint8_t> secondary = allocate_bus(function(pending->index).address.to_string());
  if (!secondary) return secondary.error();
  const LinkLayout link = link_layout(spec.link, spec.port, spec.endpoint.has_value());
  if (spec.endpoint) {
    if (Result<std::size_t> child = endpoint(*spec.endpoint, *secondary, link, pending->index); !child) {
      return child.error();
    }
  }
  return finish_port(*pending, spec.function, link, bus, *secondary, spec.clock_hz, std::nullopt, std::nullopt);
}

Result<std::size_t> Builder::upstream_port(const SwitchSpec& spec, std::uint8_t bus, const LinkLayout& link,
                                           std::size_t parent) {
  const UpstreamPortSpec& up = spec.upstream;
  Result<Pending> pending = begin(FunctionKind::kUpstreamPort, {domain_, bus, 0, 0}, parent, up.function);
  if (!pending) return pending.error();
  const std::string where = function(pending->index).address.to_string();
  Result<std::uint8_t> secondary = allocate_bus(where);
  if (!secondary) return secondary.error();
  std::vector<SwitchPortPerf> pairs;
  for (unsigned i = 0; i < spec.downstream_ports.size(); ++i) {
    const DownstreamPortSpec& dsp = spec.downstream_ports[i];
    if (Result<std::size_t> child = downstream_port(dsp, *secondary, i, pending->index); !child) return child.error();
    pairs.push_back({regs::cdat::sslbis::kUpstreamPort, static_cast<std::uint16_t>(dsp.port),
                     up.sslbis.latency_ns * kPsPerNs, up.sslbis.bandwidth_mbps});
  }
  Result<CdatEntries> cdat = build_switch_cdat(pairs, up.function.faults.cdat);
  if (!cdat) return cdat.error().context(where);
  return finish_port(*pending, up.function, {link.speed_code, link.width, 0, true}, bus, *secondary, up.clock_hz,
                     DoeSpec{false, 0, std::move(*cdat)}, up.hdm_decoders);
}

Result<std::size_t> Builder::root_port(const RootPortSpec& spec, std::uint8_t bus) {
  Result<Pending> pending = begin(FunctionKind::kRootPort, {domain_, bus, static_cast<std::uint8_t>(spec.device), 0},
                                  std::nullopt, spec.function);
  if (!pending) return pending.error();
  Result<std::uint8_t> secondary = allocate_bus(function(pending->index).address.to_string());
  if (!secondary) return secondary.error();
  const LinkLayout link = link_layout(spec.link, spec.port, spec.endpoint || spec.switch_below);
  if (spec.endpoint) {
    if (Result<std::size_t> child = endpoint(*spec.endpoint, *secondary, link, pending->index); !child) {
      return child.error();
    }
  }
  if (spec.switch_below) {
    if (Result<std::size_t> child = upstream_port(*spec.switch_below, *secondary, link, pending->index); !child) {
      return child.error();
    }
  }
  return finish_port(*pending, spec.function, link, bus, *secondary, spec.clock_hz, std::nullopt, std::nullopt);
}

Status Builder::host_bridge(const HostBridgeSpec& bridge) {
  domain_ = bridge.domain;
  next_bus_ = bridge.root_bus + 1u;
  for (const RootPortSpec& port : bridge.root_ports) {
    if (Result<std::size_t> index = root_port(port, bridge.root_bus); !index) return index.error();
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<SimulatedMachine::State>> build_machine_state(const TopologySpec& topology,
                                                            std::shared_ptr<Clock> clock) {
  if (!clock) return Error(Errc::kInvalidArgument, "the simulated machine needs a clock");
  auto state = std::make_unique<SimulatedMachine::State>();
  state->virtual_clock = std::dynamic_pointer_cast<VirtualClock>(clock);
  state->real_clock = std::dynamic_pointer_cast<RealClock>(clock);
  state->clock = std::move(clock);
  if (Status ok = check_timing(topology.timing); !ok) return ok.error();
  state->timing = topology.timing;
  state->access_ns = topology.timing.register_access_ns;
  Builder builder(*state);
  // Bus ranges of host bridges in one domain must not overlap.
  std::vector<std::tuple<std::uint16_t, unsigned, unsigned, std::size_t>> ranges;
  for (std::size_t i = 0; i < topology.host_bridges.size(); ++i) {
    const HostBridgeSpec& bridge = topology.host_bridges[i];
    const std::size_t first = state->functions.size();
    if (Status ok = builder.host_bridge(bridge); !ok) return ok.error();
    unsigned last_bus = bridge.root_bus;
    for (std::size_t f = first; f < state->functions.size(); ++f) {
      const SimFunction& function = *state->functions[f];
      last_bus = std::max<unsigned>(last_bus, function.address.bus);
      if (function.kind != FunctionKind::kEndpoint) last_bus = std::max<unsigned>(last_bus, function.config.space.load(regs::pci::kSubordinateBus, 1));
    }
    for (const auto& [domain, low, high, other] : ranges) {
      if (domain == bridge.domain && bridge.root_bus <= high && low <= last_bus) {
        return Error(Errc::kInvalidArgument,
                     fmt::format("host bridge {} (buses {:02x}..{:02x}) overlaps host bridge {} (buses {:02x}..{:02x}) "
                                 "in domain {:04x}",
                                 i, bridge.root_bus, last_bus, other, low, high, domain));
      }
    }
    ranges.emplace_back(bridge.domain, bridge.root_bus, last_bus, i);
  }
  return state;
}

}  // namespace cpmu::sim
