#include "platform/libpci_access.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csetjmp>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "cpmu/regs/pci_config.hpp"

// libpci's headers have no extern "C" of their own.
extern "C" {
#include <pci/pci.h>
}

namespace cpmu::detail {
namespace {

namespace pcireg = regs::pci;

// Where libpci's error and warning callbacks report. The callbacks get no
// context pointer, so the active trap is found through a thread-local: the
// callback runs on the thread that called libpci.
struct Trap {
  std::jmp_buf env;
  char error[512];
  char warnings[1024];
  std::size_t warnings_used;
};
thread_local Trap* t_trap = nullptr;

// Replaces libpci's default error handler, which prints and calls exit().
// The GNU spelling of noreturn, because libpci's handler pointer type carries
// it and clang only treats that spelling as part of the function type.
__attribute__((noreturn, format(printf, 1, 2))) void trap_error(char* format, ...) {
  Trap* trap = t_trap;
  // Every libpci call below runs inside trapped(); reaching here without a
  // trap is a bug in this file, and returning to libpci is not allowed.
  if (trap == nullptr) std::abort();
  va_list args;
  va_start(args, format);
  std::vsnprintf(trap->error, sizeof trap->error, format, args);
  va_end(args);
  std::longjmp(trap->env, 1);
}

__attribute__((format(printf, 1, 2))) void trap_warning(char* format, ...) {
  Trap* trap = t_trap;
  if (trap == nullptr || trap->warnings_used + 3 >= sizeof trap->warnings) return;
  if (trap->warnings_used > 0) {
    trap->warnings[trap->warnings_used++] = ';';
    trap->warnings[trap->warnings_used++] = ' ';
  }
  const std::size_t room = sizeof trap->warnings - trap->warnings_used;
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(trap->warnings + trap->warnings_used, room, format, args);
  va_end(args);
  if (n > 0) trap->warnings_used += std::min(static_cast<std::size_t>(n), room - 1);
}

__attribute__((format(printf, 1, 2))) void ignore_debug(char*, ...) {}

// The only frame a longjmp lands in. Nothing in it or in the step has a
// destructor, so jumping over them skips no C++ cleanup.
bool run_trapped(Trap& trap, void (*step)(pci_access*, void*), pci_access* access, void* context) {
  if (setjmp(trap.env) != 0) return false;
  step(access, context);
  return true;
}

// Runs the step with `trap` installed for this thread; false if libpci failed.
bool run_with_trap(Trap& trap, void (*step)(pci_access*, void*), pci_access* access, void* context) {
  trap.error[0] = '\0';
  trap.warnings[0] = '\0';
  trap.warnings_used = 0;
  Trap* const outer = std::exchange(t_trap, &trap);
  const bool finished = run_trapped(trap, step, access, context);
  t_trap = outer;
  return finished;
}

constexpr int kFillFlags = PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_BASES |
                           PCI_FILL_SIZES | PCI_FILL_IO_FLAGS;

void init_and_scan(pci_access* access, void* context) {
  access->method = PCI_ACCESS_SYS_BUS_PCI;
  // pci_set_param predates const-correctness; it copies both strings.
  if (pci_set_param(access, const_cast<char*>("sysfs.path"), static_cast<char*>(context)) != 0) {
    access->error(const_cast<char*>("this libpci has no parameter %s"), "sysfs.path");
  }
  pci_init(access);
  pci_scan_bus(access);
  for (pci_dev* dev = access->devices; dev != nullptr; dev = dev->next) pci_fill_info(dev, kFillFlags);
}

struct ReadRequest {
  pci_dev* dev;
  int offset;
  std::uint8_t* data;
  int length;
  int ok;
};

void read_block(pci_access*, void* context) {
  auto* request = static_cast<ReadRequest*>(context);
  request->ok = pci_read_block(request->dev, request->offset, request->data, request->length);
}

void cleanup(pci_access* access, void*) { pci_cleanup(access); }

PciAddress address_of(const pci_dev* dev) {
  return PciAddress{static_cast<std::uint16_t>(dev->domain), dev->bus, dev->dev, dev->func};
}

// The kernel's resource flags (sysfs), which say what the kernel made of the
// BAR; libpci keeps the BAR's own low bits in base_addr.
BarInfo describe_bar(unsigned index, pciaddr_t base, pciaddr_t size, pciaddr_t flags) {
  BarInfo bar;
  bar.index = index;
  bar.size = size;
  bar.io = (flags & PCI_IORESOURCE_IO) != 0;
  bar.is_64bit = (flags & PCI_IORESOURCE_MEM_64) != 0;
  bar.prefetchable = (flags & PCI_IORESOURCE_PREFETCH) != 0;
  const auto low_bits = bar.io ? pcireg::bar::kIoFlags : pcireg::bar::kMemFlags;
  bar.base = base & ~low_bits.mask();
  return bar;
}

}  // namespace

LibpciAccess::LibpciAccess() = default;

LibpciAccess::~LibpciAccess() {
  if (access_ == nullptr) return;
  Trap trap;
  run_with_trap(trap, cleanup, access_, nullptr);
}

Result<std::unique_ptr<LibpciAccess>> LibpciAccess::open_sysfs(const std::string& sysfs_root) {
  std::unique_ptr<LibpciAccess> self(new LibpciAccess());
  self->source_ = sysfs_root;
  self->access_ = pci_alloc();
  if (self->access_ == nullptr) return Error(Errc::kIo, "libpci could not allocate an access");
  self->access_->error = trap_error;
  self->access_->warning = trap_warning;
  self->access_->debug = ignore_debug;

  if (Status scanned = self->run(init_and_scan, self->source_.data()); !scanned) return scanned.error();
  for (pci_dev* dev = self->access_->devices; dev != nullptr; dev = dev->next) {
    // PciAddress holds 16-bit domains; libpci marks larger ones (Intel VMD).
    if (dev->domain_16 == 0xffff) continue;
    auto info = self->describe(dev);
    if (!info) return info.error();
    self->functions_.push_back(std::move(*info));
  }
  return self;
}

Status LibpciAccess::run(Step step, void* context) {
  if (!broken_) return broken_;
  Trap trap;
  const bool finished = run_with_trap(trap, step, access_, context);
  warnings_.assign(trap.warnings, trap.warnings_used);
  if (finished) return {};
  std::string message = fmt::format("libpci failed on {}: {}", source_, trap.error);
  if (!warnings_.empty()) message += fmt::format(" (libpci warnings: {})", warnings_);
  broken_ = Error(Errc::kIo, std::move(message));
  return broken_;
}

Result<PciFunctionInfo> LibpciAccess::describe(pci_dev* dev) {
  PciFunctionInfo info;
  info.address = address_of(dev);
  info.vendor_id = dev->vendor_id;
  info.device_id = dev->device_id;
  info.class_code = (static_cast<std::uint32_t>(dev->device_class) << 8) | dev->prog_if;
  info.revision = dev->rev_id;

  std::uint8_t header = 0;
  ReadRequest request{dev, static_cast<int>(pcireg::kHeaderType), &header, 1, 0};
  if (Status read = run(read_block, &request); !read) return read.error();
  if (!request.ok) {
    return Error(Errc::kIo, fmt::format("{}: cannot read the header type of {}{}", source_,
                                        info.address.to_string(),
                                        warnings_.empty() ? "" : " (" + warnings_ + ")"));
  }
  info.header_type = static_cast<std::uint8_t>(pcireg::header_type::kLayout.get(header));

  const unsigned bar_count = info.header_type == pcireg::header_type::kEndpoint ? pcireg::kBarCountType0
                             : info.header_type == pcireg::header_type::kBridge ? pcireg::kBarCountType1
                                                                                 : 0;
  for (unsigned i = 0; i < bar_count; ++i) {
    // An unimplemented BAR, or the upper half of a 64-bit one, has neither.
    if (dev->size[i] == 0 && dev->base_addr[i] == 0) continue;
    info.bars.push_back(describe_bar(i, dev->base_addr[i], dev->size[i], dev->flags[i]));
  }
  return info;
}

}  // namespace cpmu::detail
