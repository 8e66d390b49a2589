#include "platform/dump_platform.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cpmu/regs/pci_config.hpp"
#include "pci/ext_cap_walk.hpp"
#include "util/little_endian.hpp"
#include "util/unique_fd.hpp"

namespace cpmu::detail {
namespace {

namespace pcireg = regs::pci;

// Far more than lspci -xxxx writes for any real bus; past it the file is not a dump.
constexpr std::size_t kMaxDumpSize = 64u << 20;

Result<std::string> read_text(const std::string& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    return Error(err == ENOENT ? Errc::kNotFound : Errc::kIo,
                 fmt::format("{}: cannot open the dump: {}", path, std::strerror(err)));
  }
  const auto too_large = [&path] {
    return Error(Errc::kMalformed, fmt::format("{}: larger than {} MiB: not an lspci dump", path, kMaxDumpSize >> 20));
  };
  // Read straight into a buffer the size of the file (one more byte to see
  // the end): growing a string chunk by chunk copies a large dump many times.
  struct stat st {};
  const bool sized = ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  if (sized && static_cast<std::uint64_t>(st.st_size) > kMaxDumpSize) return too_large();
  std::string text(sized ? static_cast<std::size_t>(st.st_size) + 1 : std::size_t{65536}, '\0');
  std::size_t used = 0;
  for (;;) {
    if (used > kMaxDumpSize) return too_large();
    if (used == text.size()) text.resize(2 * text.size());
    const ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(Errc::kIo, fmt::format("{}: cannot read the dump: {}", path, std::strerror(errno)));
    if (n == 0) {
      text.resize(used);
      return text;
    }
    used += static_cast<std::size_t>(n);
  }
}

// A PCI Express function has 4096 bytes of config space, a conventional one
// 256; which one this is shows in the conventional capability list.
bool has_pcie_capability(const std::vector<std::uint8_t>& config) {
  const CapabilityWalk walk = walk_capabilities(ConfigSpace(config));
  return std::any_of(walk.capabilities.begin(), walk.capabilities.end(),
                     [](const ExtendedCapability& cap) { return cap.id == pcireg::cap_id::kPcie; });
}

}  // namespace

Result<std::unique_ptr<Platform>> DumpPlatform::open(const PlatformSource& options) {
  if (options.dump_file.empty()) {
    return Error(Errc::kInvalidArgument, "the dump backend needs a dump file (lspci -xxxx text)");
  }
  auto text = read_text(options.dump_file);
  if (!text) return text.error();
  return from_text(options.dump_file, *text);
}

Result<std::unique_ptr<Platform>> DumpPlatform::from_text(const std::string& path, std::string_view text) {
  auto dump = parse_dump(path, text);
  if (!dump) return dump.error();
  std::unique_ptr<DumpPlatform> self(new DumpPlatform());
  self->file_ = path;
  self->dump_ = std::move(*dump);
  self->functions_.reserve(self->dump_.functions.size());
  for (const auto& [address, function] : self->dump_.functions) {
    self->functions_.push_back(function_info_from_config(address, ConfigSpace(function.config)));
  }
  return std::unique_ptr<Platform>(std::move(self));
}

Result<std::vector<PciFunctionInfo>> DumpPlatform::enumerate() { return functions_; }

Result<const DumpedFunction*> DumpPlatform::find(const PciAddress& address) const {
  const auto entry = dump_.functions.find(address);
  if (entry == dump_.functions.end()) {
    return Error(Errc::kNotFound, fmt::format("{}: no function {} in the dump", file_, address.to_string()));
  }
  return &entry->second;
}

Result<std::vector<std::uint8_t>> DumpPlatform::read_config(const PciAddress& address, bool allow_partial) {
  auto found = find(address);
  if (!found) return found.error();
  const DumpedFunction& function = **found;
  const std::size_t held = function.config.size();
  if (function.problem) {
    // What came before the bad line is good, and it is all there is.
    if (allow_partial && held > 0) return function.config;
    return *function.problem;
  }
  // A dump holding less than the whole space was cut (lspci -x, -xxx, or run
  // without root). Below 256 bytes the capability list cannot be walked to
  // tell how much the whole is.
  if (!allow_partial && held < pcireg::kConfigSize) {
    std::string_view whole = "at least 256";
    if (held >= pcireg::kLegacyConfigSize) whole = has_pcie_capability(function.config) ? "4096" : "";
    if (!whole.empty()) {
      return Error(Errc::kUnsupported,
                   fmt::format("{}:{}: the dump holds {} of the {} config-space bytes of {}; capture it with "
                               "'lspci -xxxx' as root, or read what it holds with allow_partial",
                               file_, function.line, held, whole, address.to_string()));
    }
  }
  return function.config;
}

Result<std::uint32_t> DumpPlatform::config_read32(const PciAddress& address, unsigned offset) {
  if (offset % 4 != 0 || offset + std::uint64_t{4} > pcireg::kConfigSize) {
    return Error(Errc::kInvalidArgument, fmt::format("{}: config offset 0x{:x} is not an aligned dword of "
                                                     "config space",
                                                     address.to_string(), offset));
  }
  auto found = find(address);
  if (!found) return found.error();
  const DumpedFunction& function = **found;
  if (offset + 4 > function.config.size()) {
    if (function.problem) return *function.problem;
    return Error(Errc::kUnsupported,
                 fmt::format("{}:{}: the dump holds {} config-space bytes of {}, not offset 0x{:x}", file_,
                             function.line, function.config.size(), address.to_string(), offset));
  }
  return load_le32(function.config.data() + offset);
}

Status DumpPlatform::config_write32(const PciAddress& address, unsigned offset, std::uint32_t) {
  return Error(Errc::kUnsupported, fmt::format("{}: cannot write 0x{:x} of {}: dump files are read-only", file_,
                                               offset, address.to_string()));
}

Result<std::unique_ptr<Mmio>> DumpPlatform::map_bar(const PciAddress& address, unsigned bar, std::uint64_t,
                                                    std::uint64_t) {
  return Error(Errc::kUnsupported, fmt::format("{}: cannot map BAR{} of {}: a dump carries config space only",
                                               file_, bar, address.to_string()));
}

Result<std::unique_ptr<InterruptSource>> DumpPlatform::interrupt(const PciAddress& address, unsigned vector) {
  return Error(Errc::kUnsupported,
               fmt::format("{}: no interrupt vector {} for {}: a dump carries config space only", file_, vector,
                           address.to_string()));
}

}  // namespace cpmu::detail
