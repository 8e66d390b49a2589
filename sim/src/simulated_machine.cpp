// SimulatedMachine: access routing, interrupts, time and faults over the state that
// machine_builder.cpp builds. Every public member takes the one mutex.
#include "cxlsim/simulated_machine.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include <fmt/format.h>

#include "machine_state.hpp"
#include "residue_record.hpp"

namespace cpmu::sim {
namespace {

std::uint64_t all_ones(unsigned size) { return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1; }

Error no_function(const PciAddress& address) {
  return Error(Errc::kNotFound, fmt::format("{}: no such function in the simulated machine", address.to_string()));
}

// The identity as the header registers give it; the BARs as the machine laid
// them out, which, unlike the registers, knows their sizes.
PciFunctionInfo info_of(const SimFunction& f) {
  std::array<std::uint8_t, regs::pci::kFirstCapOffset> header;
  for (unsigned offset = 0; offset < header.size(); offset += 4) {
    const std::uint32_t dword = f.config.space.load(offset, 4);
    for (unsigned i = 0; i < 4; ++i) header[offset + i] = static_cast<std::uint8_t>(dword >> (8 * i));
  }
  PciFunctionInfo info = function_info_from_config(f.address, cpmu::ConfigSpace(header));
  info.bars.clear();
  for (const BarAssignment& bar : f.bars) {
    BarInfo b;
    b.index = bar.index;
    b.base = bar.base;
    b.size = bar.size;
    b.is_64bit = true;
    info.bars.push_back(b);
  }
  return info;
}

// Runs on every simulated register access: the address is formatted only
// for an error.
Status check_mmio_access(const SimFunction& f, unsigned bar, std::uint64_t offset, unsigned size) {
  const auto it = std::find_if(f.bars.begin(), f.bars.end(), [&](const BarAssignment& b) { return b.index == bar; });
  const auto fail = [&f](Errc code, std::string what) {
    return Error(code, fmt::format("{}: {}", f.address.to_string(), what));
  };
  if (it == f.bars.end()) return fail(Errc::kNotFound, fmt::format("BAR {} is not implemented", bar));
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    return fail(Errc::kInvalidArgument, fmt::format("MMIO access of {} bytes: size must be 1, 2, 4 or 8", size));
  }
  if (offset % size != 0) {
    return fail(Errc::kInvalidArgument,
                fmt::format("MMIO access of {} bytes at BAR {} offset {:#x} is not naturally aligned", size, bar,
                            offset));
  }
  if (offset >= it->size || it->size - offset < size) {
    return fail(Errc::kInvalidArgument,
                fmt::format("offset {:#x} is outside BAR {} ({:#x} bytes)", offset, bar, it->size));
  }
  return {};
}

BlockMapping* block_at(SimFunction& f, unsigned bar, std::uint64_t offset) {
  for (BlockMapping& block : f.blocks) {
    if (block.bar == bar && offset >= block.offset && offset - block.offset < block.size) return &block;
  }
  return nullptr;
}

std::uint64_t read_block(SimFunction& f, const BlockMapping& block, std::uint64_t offset, unsigned size,
                         std::uint64_t now) {
  switch (block.kind) {
    case BlockKind::kComponent: return f.component->read(offset, size);
    case BlockKind::kMemoryDevice: return f.memory_device->read(offset, size);
    case BlockKind::kCpmu: return f.cpmus[block.index]->read(offset, size, now);
    case BlockKind::kMsixTable: {
      std::uint64_t value = 0;
      for (unsigned i = 0; i < size && offset + i < f.msix_table.size(); ++i) {
        value |= static_cast<std::uint64_t>(f.msix_table[offset + i]) << (8 * i);
      }
      return value;
    }
    case BlockKind::kConfig: break;
  }
  return 0;
}

void write_block(SimFunction& f, const BlockMapping& block, std::uint64_t offset, unsigned size, std::uint64_t value,
                 std::uint64_t now) {
  switch (block.kind) {
    case BlockKind::kCpmu: f.cpmus[block.index]->write(offset, size, value, now); return;
    case BlockKind::kMsixTable:
      for (unsigned i = 0; i < size && offset + i < f.msix_table.size(); ++i) {
        f.msix_table[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
      }
      return;
    case BlockKind::kComponent:     // read-only images: the simulation has no
    case BlockKind::kMemoryDevice:  // RAS, HDM programming or mailbox commands
    case BlockKind::kConfig: return;
  }
}

}  // namespace

// --- State ---------------------------------------------------------------

SimFunction* SimulatedMachine::State::find(const PciAddress& address) const {
  const auto it = by_address.find(address);
  return it == by_address.end() ? nullptr : it->second;
}

bool SimFunction::decodes_memory() const {
  return regs::pci::command::kMemorySpace.get(config.space.load(regs::pci::kCommand, 2)) != 0;
}

bool SimulatedMachine::State::present(const SimFunction& function, std::uint64_t now) const {
  for (const SimFunction* f = &function;; f = functions[*f->parent].get()) {
    if (f->removal_ns && now >= *f->removal_ns) return false;
    if (!f->parent) return true;
  }
}

void SimulatedMachine::State::raise(SimFunction& function, unsigned vector, std::uint64_t count) {
  const std::uint64_t now = clock->now_ns();
  if (!present(function, now)) return;
  if (timing.interrupt_latency_ns == 0) return deliver(function, vector, count);
  in_flight.push({now + timing.interrupt_latency_ns, &function, vector, count});
}

void SimulatedMachine::State::deliver(SimFunction& function, unsigned vector, std::uint64_t count) {
  if (!present(function, clock->now_ns())) return;
  function.interrupts[vector] += count;
  auto& subscribers = function.subscribers[vector];
  std::erase_if(subscribers, [](const std::weak_ptr<EventFd>& s) { return s.expired(); });
  for (const std::weak_ptr<EventFd>& subscriber : subscribers) {
    if (std::shared_ptr<EventFd> event = subscriber.lock()) event->signal(count);
  }
}

void SimulatedMachine::State::deliver_due(std::uint64_t now) {
  while (!in_flight.empty() && in_flight.top().due_ns <= now) {
    const InterruptInFlight next = in_flight.top();
    in_flight.pop();
    deliver(*next.function, next.vector, next.count);
  }
}

void SimulatedMachine::State::spend_access_time() {
  if (virtual_clock && timing.register_access_ns > 0) virtual_clock->advance(timing.register_access_ns);
  deliver_due(clock->now_ns());
}

void SimulatedMachine::State::sync_all(std::uint64_t now) {
  deliver_due(now);
  for (const auto& f : functions) {
    if (!present(*f, now)) continue;
    for (std::size_t i = 0; i < f->cpmus.size(); ++i) {
      f->cpmus[i]->sync(now);
      if (f->storms[i]) raise(*f, f->cpmus[i]->spec().msi_number);
    }
  }
}

// --- SimulatedMachine -------------------------------------------------------------

Result<std::unique_ptr<SimulatedMachine>> SimulatedMachine::create(const TopologySpec& topology, std::shared_ptr<Clock> clock) {
  Result<std::unique_ptr<State>> state = build_machine_state(topology, std::move(clock));
  if (!state) return state.error();
  std::unique_ptr<SimulatedMachine> machine(new SimulatedMachine(std::move(*state)));
  if (!machine->state_->virtual_clock) machine->start_ticker();
  return machine;
}

SimulatedMachine::SimulatedMachine(std::unique_ptr<State> state) : state_(std::move(state)) {}

SimulatedMachine::~SimulatedMachine() {
  if (state_->ticker.joinable()) {
    {
      std::lock_guard lock(state_->mutex);
      state_->stopping = true;
    }
    state_->ticker_wake.notify_all();
    state_->ticker.join();
  }
  append_residue_record(state_->functions);
}

void SimulatedMachine::start_ticker() {
  State* s = state_.get();
  s->ticker = std::thread([s] {
    std::unique_lock lock(s->mutex);
    while (!s->stopping) {
      // Wakes for the next tick, or earlier when an interrupt falls due.
      const std::uint64_t now = s->clock->now_ns();
      std::uint64_t wait = s->timing.tick_ns;
      if (!s->in_flight.empty()) wait = std::min(wait, s->in_flight.top().due_ns > now ? s->in_flight.top().due_ns - now : 0);
      s->ticker_wake.wait_for(lock, std::chrono::nanoseconds(wait), [s] { return s->stopping; });
      if (!s->stopping) s->sync_all(s->clock->now_ns());
    }
  });
}

std::vector<PciFunctionInfo> SimulatedMachine::functions() const {
  std::lock_guard lock(state_->mutex);
  std::vector<PciFunctionInfo> out;
  for (const auto& f : state_->functions) out.push_back(info_of(*f));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
  return out;
}

Result<PciFunctionInfo> SimulatedMachine::function(const PciAddress& address) const {
  std::lock_guard lock(state_->mutex);
  const SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  return info_of(*f);
}

Result<FunctionKind> SimulatedMachine::kind(const PciAddress& address) const {
  std::lock_guard lock(state_->mutex);
  const SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  return f->kind;
}

Result<std::optional<PciAddress>> SimulatedMachine::parent(const PciAddress& address) const {
  std::lock_guard lock(state_->mutex);
  const SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  if (!f->parent) return std::optional<PciAddress>{};
  return std::optional<PciAddress>{state_->functions[*f->parent]->address};
}

Result<std::vector<PciAddress>> SimulatedMachine::children(const PciAddress& address) const {
  std::lock_guard lock(state_->mutex);
  const SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  std::vector<PciAddress> out;
  for (std::size_t child : f->children) out.push_back(state_->functions[child]->address);
  return out;
}

Result<unsigned> SimulatedMachine::cpmu_count(const PciAddress& address) const {
  std::lock_guard lock(state_->mutex);
  const SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  return static_cast<unsigned>(f->cpmus.size());
}

Result<std::uint32_t> SimulatedMachine::State::config_read(SimFunction& f, unsigned offset, unsigned size) {
  if (Status ok = ConfigSpaceModel::check_access(offset, size); !ok) return ok.error().context(f.address.to_string());
  if (!present(f, clock->now_ns())) return static_cast<std::uint32_t>(all_ones(size));
  Result<std::uint32_t> value = f.config.space.read(offset, size);
  if (!value) return value.error().context(f.address.to_string());
  ++f.config_counts.reads;
  return value;
}

Result<std::uint32_t> SimulatedMachine::config_read(const PciAddress& address, unsigned offset, unsigned size) {
  std::lock_guard lock(state_->mutex);
  SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  return state_->config_read(*f, offset, size);
}

Status SimulatedMachine::config_write(const PciAddress& address, unsigned offset, unsigned size, std::uint32_t value) {
  std::lock_guard lock(state_->mutex);
  SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  if (Status ok = ConfigSpaceModel::check_access(offset, size); !ok) return ok.error().context(address.to_string());
  if (!state_->present(*f, state_->clock->now_ns())) return {};
  Status ok = f->config.space.write(offset, size, value);
  if (!ok) return ok.error().context(address.to_string());
  ++f->config_counts.writes;
  return {};
}

// Dword by dword, as a config-space dump reads it, under one lock.
Result<std::vector<std::uint8_t>> SimulatedMachine::config_bytes(const PciAddress& address) {
  std::lock_guard lock(state_->mutex);
  SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  std::vector<std::uint8_t> bytes;
  bytes.reserve(ConfigSpaceModel::kSize);
  for (unsigned offset = 0; offset < ConfigSpaceModel::kSize; offset += 4) {
    Result<std::uint32_t> dw = state_->config_read(*f, offset, 4);
    if (!dw) return dw.error();
    for (unsigned i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(*dw >> (8 * i)));
  }
  return bytes;
}

Result<std::uint64_t> SimulatedMachine::mmio_read(const PciAddress& address, unsigned bar, std::uint64_t offset, unsigned size) {
  spend_real_access_time();
  std::lock_guard lock(state_->mutex);
  SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  if (Status ok = check_mmio_access(*f, bar, offset, size); !ok) return ok.error();
  state_->spend_access_time();
  const std::uint64_t now = state_->clock->now_ns();
  // A removed function, or one not decoding memory, never answers: the read master-aborts.
  if (!state_->present(*f, now) || !f->decodes_memory()) return all_ones(size);
  BlockMapping* block = block_at(*f, bar, offset);
  if (!block) return std::uint64_t{0};
  ++block->counts.reads;
  return read_block(*f, *block, offset - block->offset, size, now);
}

Status SimulatedMachine::mmio_write(const PciAddress& address, unsigned bar, std::uint64_t offset, unsigned size,
                           std::uint64_t value) {
  spend_real_access_time();
  std::lock_guard lock(state_->mutex);
  SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  if (Status ok = check_mmio_access(*f, bar, offset, size); !ok) return ok;
  state_->spend_access_time();
  const std::uint64_t now = state_->clock->now_ns();
  if (!state_->present(*f, now) || !f->decodes_memory()) return {};
  BlockMapping* block = block_at(*f, bar, offset);
  if (!block) return {};
  ++block->counts.writes;
  write_block(*f, *block, offset - block->offset, size, value & all_ones(size), now);
  return {};
}

Result<AccessCounts> SimulatedMachine::access_counts(const PciAddress& address, BlockKind kind, unsigned index) const {
  std::lock_guard lock(state_->mutex);
  const SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  if (kind == BlockKind::kConfig) return f->config_counts;
  for (const BlockMapping& block : f->blocks) {
    if (block.kind == kind && block.index == index) return block.counts;
  }
  return Error(Errc::kNotFound, fmt::format("{}: no such register block", address.to_string()));
}

void SimulatedMachine::reset_access_counts() {
  std::lock_guard lock(state_->mutex);
  for (const auto& f : state_->functions) {
    f->config_counts = {};
    for (BlockMapping& block : f->blocks) block.counts = {};
  }
}

Result<std::unique_ptr<InterruptSource>> SimulatedMachine::subscribe(const PciAddress& address, unsigned vector) {
  std::lock_guard lock(state_->mutex);
  SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  const std::size_t vectors = f->msix_table.size() / regs::pci::msix::kEntrySize;
  if (vector >= vectors) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("{}: vector {} does not exist ({} MSI-X vectors)", address.to_string(), vector, vectors));
  }
  Result<std::shared_ptr<EventFd>> event = EventFd::create();
  if (!event) return event.error().context(address.to_string());
  f->subscribers[vector].push_back(*event);
  return std::unique_ptr<InterruptSource>(std::make_unique<EventFdInterrupt>(std::move(*event)));
}

Result<std::uint64_t> SimulatedMachine::interrupt_count(const PciAddress& address, unsigned vector) const {
  std::lock_guard lock(state_->mutex);
  const SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  const auto it = f->interrupts.find(vector);
  return it == f->interrupts.end() ? 0 : it->second;
}

std::uint64_t SimulatedMachine::now_ns() const { return state_->clock->now_ns(); }

Status SimulatedMachine::advance(std::uint64_t ns) {
  if (!state_->virtual_clock) {
    return Error(Errc::kUnsupported, "advance() needs a virtual clock; a real clock moves on by itself");
  }
  while (ns > 0) {
    std::lock_guard lock(state_->mutex);
    // Steps end where an interrupt falls due, so it is delivered on time.
    std::uint64_t step = std::min(ns, state_->timing.tick_ns);
    const std::uint64_t now = state_->clock->now_ns();
    if (!state_->in_flight.empty() && state_->in_flight.top().due_ns > now) {
      step = std::min(step, state_->in_flight.top().due_ns - now);
    }
    state_->virtual_clock->advance(step);
    state_->sync_all(state_->clock->now_ns());
    ns -= step;
  }
  return {};
}

// A real access time is spent busy (a CPU stalls on an uncached read), and
// outside the lock: another thread's access to another device overlaps it.
void SimulatedMachine::spend_real_access_time() const {
  if (state_->virtual_clock) return;
  const std::uint64_t ns = state_->access_ns.load(std::memory_order_relaxed);
  if (ns == 0) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(ns);
  while (std::chrono::steady_clock::now() < until) {
  }
}

Status SimulatedMachine::set_timing(const SimTiming& timing) {
  if (Status ok = check_timing(timing); !ok) return ok;
  std::lock_guard lock(state_->mutex);
  state_->timing = timing;
  state_->access_ns.store(timing.register_access_ns, std::memory_order_relaxed);
  state_->ticker_wake.notify_all();
  return {};
}

SimTiming SimulatedMachine::timing() const {
  std::lock_guard lock(state_->mutex);
  return state_->timing;
}

Status SimulatedMachine::hold_time(bool held) {
  if (!state_->real_clock) return Error(Errc::kUnsupported, "hold_time() needs a real clock; a virtual one only moves when told");
  std::lock_guard lock(state_->mutex);
  // Synced at the instant time stops, so every model is current there.
  if (held) state_->sync_all(state_->clock->now_ns());
  state_->real_clock->hold(held);
  return {};
}

Result<std::uint64_t> SimulatedMachine::interrupts_in_flight(const PciAddress& address, unsigned vector) const {
  std::lock_guard lock(state_->mutex);
  const SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  auto copy = state_->in_flight;
  std::uint64_t count = 0;
  for (; !copy.empty(); copy.pop()) {
    if (copy.top().function == f && copy.top().vector == vector) count += copy.top().count;
  }
  return count;
}

Status SimulatedMachine::inject(const PciAddress& address, const Fault& fault) {
  std::lock_guard lock(state_->mutex);
  SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  const std::uint64_t now = state_->clock->now_ns();
  const std::string where = address.to_string();
  const auto cpmu_index = [&](unsigned cpmu) -> Status {
    if (cpmu >= f->cpmus.size()) {
      return Error(Errc::kInvalidArgument, fmt::format("{}: no CPMU {} ({} CPMUs)", where, cpmu, f->cpmus.size()));
    }
    return {};
  };
  if (std::holds_alternative<SurpriseRemoval>(fault)) {
    f->removal_ns = now;
  } else if (const auto* doe = std::get_if<DoeFaultInjection>(&fault)) {
    if (!f->doe) return Error(Errc::kUnsupported, fmt::format("{}: has no DOE mailbox", where));
    f->doe->inject(doe->fault);
  } else if (const auto* stuck = std::get_if<StuckCounter>(&fault)) {
    if (Status ok = cpmu_index(stuck->cpmu); !ok) return ok;
    CpmuModel& model = *f->cpmus[stuck->cpmu];
    if (stuck->counter >= model.spec().counters.size()) {
      return Error(Errc::kInvalidArgument, fmt::format("{}: CPMU {} has no counter {}", where, stuck->cpmu, stuck->counter));
    }
    model.sync(now);
    model.set_stuck(stuck->counter, stuck->stuck);
  } else if (const auto* storm = std::get_if<InterruptStormFault>(&fault)) {
    if (Status ok = cpmu_index(storm->cpmu); !ok) return ok;
    f->storms[storm->cpmu] = storm->on;
  } else if (const auto* ignored = std::get_if<IgnoredConfigFault>(&fault)) {
    if (Status ok = cpmu_index(ignored->cpmu); !ok) return ok;
    CpmuModel& model = *f->cpmus[ignored->cpmu];
    if (ignored->counter >= model.spec().counters.size()) {
      return Error(Errc::kInvalidArgument, fmt::format("{}: CPMU {} has no counter {}", where, ignored->cpmu, ignored->counter));
    }
    model.set_ignored_config(ignored->counter, ignored->config_bits);
  }
  return {};
}

Result<std::uint64_t> SimulatedMachine::ground_truth(const PciAddress& address, unsigned cpmu, const EventKey& key,
                                            const FilterSelection& filter) const {
  std::lock_guard lock(state_->mutex);
  const SimFunction* f = state_->find(address);
  if (!f) return no_function(address);
  if (cpmu >= f->cpmus.size()) {
    return Error(Errc::kInvalidArgument, fmt::format("{}: no CPMU {} ({} CPMUs)", address.to_string(), cpmu, f->cpmus.size()));
  }
  return f->cpmus[cpmu]->ground_truth(key, filter, state_->clock->now_ns());
}

}  // namespace cpmu::sim
