#include "platform/dump_platform.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "cpmu/regs/pci_config.hpp"
#include "util/little_endian.hpp"
#include "util/unique_fd.hpp"

namespace cpmu::detail {
namespace {

namespace pcireg = regs::pci;

// libpci reads a dump with fgets into a 256-byte buffer and gives up on any
// line that does not fit, newline included.
constexpr std::size_t kMaxLineLength = 253;
constexpr unsigned kRowBytes = 16;
// Far more than lspci -xxxx writes for any real bus; past it the file is not a dump.
constexpr std::size_t kMaxDumpSize = 64u << 20;

bool is_hex(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// The two address shapes libpci's dump reader accepts in a device header.
bool looks_like_address(std::string_view token) {
  if (token.size() == 7) return token[2] == ':' && token[5] == '.';
  if (token.size() == 12) return token[4] == ':' && token[7] == ':' && token[10] == '.';
  return false;
}

// What a row "OO: hh hh ... hh" is wrong about, or empty if nothing.
std::string check_row(std::string_view offset_text, std::string_view bytes_text, unsigned expected_offset) {
  if (offset_text.size() < 2 || offset_text.size() > 8 || !is_hex(offset_text)) {
    return fmt::format("'{}' is not a hexadecimal config-space offset", offset_text);
  }
  unsigned offset = 0;
  std::from_chars(offset_text.data(), offset_text.data() + offset_text.size(), offset, 16);
  if (offset >= pcireg::kConfigSize) {
    return fmt::format("offset 0x{:x} is past the {}-byte config space", offset, pcireg::kConfigSize);
  }
  if (offset != expected_offset) {
    return fmt::format("row for offset 0x{:x} where lspci writes 0x{:x} next", offset, expected_offset);
  }
  unsigned count = 0;
  std::size_t pos = 0;
  while (pos <= bytes_text.size() && !bytes_text.empty()) {
    const std::size_t space = std::min(bytes_text.find(' ', pos), bytes_text.size());
    const std::string_view byte = bytes_text.substr(pos, space - pos);
    if (byte.empty()) return "bytes must be separated by exactly one space";
    if (byte.size() != 2 || !is_hex(byte)) return fmt::format("'{}' is not a hexadecimal byte", byte);
    ++count;
    pos = space + 1;
  }
  if (count != kRowBytes) {
    return fmt::format("the row holds {} bytes where lspci writes {}{}", count, kRowBytes,
                       count < kRowBytes ? ": the line is truncated" : "");
  }
  return {};
}

Result<std::string> read_text(const std::string& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    return Error(err == ENOENT ? Errc::kNotFound : Errc::kIo,
                 fmt::format("{}: cannot open the dump: {}", path, std::strerror(err)));
  }
  std::string text;
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(Errc::kIo, fmt::format("{}: cannot read the dump: {}", path, std::strerror(errno)));
    if (n == 0) return text;
    text.append(chunk, static_cast<std::size_t>(n));
    if (text.size() > kMaxDumpSize) {
      return Error(Errc::kMalformed, fmt::format("{}: larger than {} MiB: not an lspci dump", path,
                                                 kMaxDumpSize >> 20));
    }
  }
}

}  // namespace

Result<DumpIndex> index_dump(const std::string& path, std::string_view text) {
  if (text.empty()) return Error(Errc::kMalformed, fmt::format("{}: the file is empty, not an lspci -xxxx dump", path));
  auto bad = [&path](unsigned line, std::string_view what) {
    return Error(Errc::kMalformed, fmt::format("{}:{}: {}", path, line, what));
  };
  DumpIndex index;
  DumpedFunction* current = nullptr;
  unsigned number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    ++number;
    const std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) return bad(number, "the last line has no newline: the file is truncated");
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > kMaxLineLength) {
      return bad(number, fmt::format("the line is longer than {} characters", kMaxLineLength));
    }
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) {
      current = nullptr;
      continue;
    }
    // lspci -v detail lines are indented; they carry no config bytes.
    if (line.front() == ' ' || line.front() == '\t') continue;

    const std::size_t space = line.find(' ');
    const std::string_view first = line.substr(0, space);
    if (looks_like_address(first)) {
      if (space == std::string_view::npos) {
        return bad(number, "a device header needs a description after the address, as lspci writes it");
      }
      auto address = PciAddress::parse(first);
      if (!address) return bad(number, address.error().message());
      auto [entry, added] = index.emplace(*address, DumpedFunction{number, 0});
      if (!added) {
        return bad(number, fmt::format("{} appears a second time (first at line {})", address->to_string(),
                                       entry->second.line));
      }
      current = &entry->second;
      continue;
    }
    if (first.ends_with(':')) {
      if (current == nullptr) return bad(number, "a config-space row with no device header above it");
      const std::string_view bytes = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
      if (std::string problem = check_row(first.substr(0, first.size() - 1), bytes, current->bytes);
          !problem.empty()) {
        return bad(number, problem);
      }
      current->bytes += kRowBytes;
      continue;
    }
    return bad(number,
               "expected a device header ('0000:0d:00.0 ...'), a config-space row ('00: 86 80 ...') or a "
               "blank line");
  }
  if (index.empty()) return Error(Errc::kMalformed, fmt::format("{}: no devices in the dump", path));
  for (const auto& [address, function] : index) {
    if (function.bytes == 0) return bad(function.line, fmt::format("{} has no config-space rows", address.to_string()));
  }
  return index;
}

Result<std::unique_ptr<Platform>> DumpPlatform::open(const PlatformOptions& options) {
  if (options.dump_file.empty()) {
    return Error(Errc::kInvalidArgument, "the dump backend needs a dump file (lspci -xxxx text)");
  }
  std::unique_ptr<DumpPlatform> self(new DumpPlatform());
  self->file_ = options.dump_file;
  auto text = read_text(self->file_);
  if (!text) return text.error();
  auto index = index_dump(self->file_, *text);
  if (!index) return index.error();
  self->index_ = std::move(*index);

  auto access = LibpciAccess::open_dump(self->file_);
  if (!access) return access.error();
  self->access_ = std::move(*access);
  self->functions_ = self->access_->functions();
  if (self->functions_.size() != self->index_.size()) {
    return Error(Errc::kMalformed, fmt::format("{}: libpci read {} functions where the file holds {}", self->file_,
                                               self->functions_.size(), self->index_.size()));
  }
  // libpci links each device in front of the previous one: reverse file order.
  std::sort(self->functions_.begin(), self->functions_.end(),
            [](const PciFunctionInfo& a, const PciFunctionInfo& b) { return a.address < b.address; });
  return std::unique_ptr<Platform>(std::move(self));
}

Result<std::vector<PciFunctionInfo>> DumpPlatform::enumerate() { return functions_; }

Result<DumpedFunction> DumpPlatform::find(const PciAddress& address) const {
  const auto entry = index_.find(address);
  if (entry == index_.end()) {
    return Error(Errc::kNotFound, fmt::format("{}: no function {} in the dump", file_, address.to_string()));
  }
  return entry->second;
}

Result<std::vector<std::uint8_t>> DumpPlatform::read_config(const PciAddress& address, bool allow_partial) {
  auto function = find(address);
  if (!function) return function.error();
  // A PCI Express function has 4096 bytes of config space, a conventional one
  // 256; a dump holding less was cut (lspci -x, -xxx, or run without root).
  // Below 256 bytes the capability list cannot be walked to tell which.
  if (!allow_partial && function->bytes < pcireg::kConfigSize) {
    std::string_view full = "at least 256";
    if (function->bytes >= pcireg::kLegacyConfigSize) {
      auto pcie = access_->has_capability(address, pcireg::cap_id::kPcie);
      if (!pcie) return pcie.error();
      full = *pcie ? "4096" : "";
    }
    if (!full.empty()) {
      return Error(Errc::kUnsupported,
                   fmt::format("{}:{}: the dump holds {} of the {} config-space bytes of {}; capture it with "
                               "'lspci -xxxx' as root, or read what it holds with allow_partial",
                               file_, function->line, function->bytes, full, address.to_string()));
    }
  }
  std::vector<std::uint8_t> bytes(function->bytes);
  if (Status read = access_->read_config(address, 0, bytes); !read) return read.error();
  return bytes;
}

Result<std::uint32_t> DumpPlatform::config_read32(const PciAddress& address, unsigned offset) {
  if (offset % 4 != 0 || offset + std::uint64_t{4} > pcireg::kConfigSize) {
    return Error(Errc::kInvalidArgument, fmt::format("{}: config offset 0x{:x} is not an aligned dword of "
                                                     "config space",
                                                     address.to_string(), offset));
  }
  auto function = find(address);
  if (!function) return function.error();
  if (offset + 4 > function->bytes) {
    return Error(Errc::kUnsupported,
                 fmt::format("{}:{}: the dump holds {} config-space bytes of {}, not offset 0x{:x}", file_,
                             function->line, function->bytes, address.to_string(), offset));
  }
  std::uint8_t bytes[4];
  if (Status read = access_->read_config(address, offset, bytes); !read) return read.error();
  return load_le32(bytes);
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
