#include "platform/linux_platform.hpp"
#include "cpmu/printable_text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "cpmu/regs/pci_config.hpp"
#include "platform/bar_mapping.hpp"
#include "platform/kernel_lockdown.hpp"
#include "platform/libpci_access.hpp"
#include "platform/sysfs_file.hpp"
#include "util/little_endian.hpp"
#include "util/unique_fd.hpp"

// Config space is read and written with pread/pwrite on the sysfs `config`
// file rather than through libpci: libpci turns a short read into "no data"
// and a refused write into a warning string, and both lose what we must
// report (how many bytes the kernel served; whether EPERM came from lockdown).

namespace cpmu::detail {
namespace {

namespace pcireg = regs::pci;

// The sysfs files libpci's scan cannot do without; it treats a missing one as
// fatal. Checking them first gives a precise error, and spares the leaks of
// abandoning libpci mid-scan.
constexpr const char* kRequiredFiles[] = {"vendor", "device", "class", "resource"};

struct ConfigFile {
  UniqueFd fd;
  std::uint64_t size = 0;  // what the kernel says the function's config space is
  std::string path;
};

std::string errno_text(int err) { return std::strerror(err); }

Result<ConfigFile> open_config(const std::string& path, int flags, std::string_view what) {
  ConfigFile file;
  file.path = path;
  int err = 0;
  auto opened = open_sysfs_file(path, flags, &err);
  if (!opened && err == 0) return opened.error();  // there, but no regular file
  if (!opened) {
    if (err == ENOENT) {
      return Error(Errc::kNotFound, fmt::format("{}: no such file: no such PCI function", path));
    }
    if (err == EACCES || err == EPERM) return refused_access_error(err, what, read_lockdown());
    return Error(Errc::kIo, fmt::format("{}: {}", path, errno_text(err)));
  }
  file.fd = std::move(*opened);
  struct stat st {};
  if (::fstat(file.fd.get(), &st) != 0) {
    return Error(Errc::kIo, fmt::format("{}: {}", path, errno_text(errno)));
  }
  file.size = std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), pcireg::kConfigSize);
  if (file.size == 0) return Error(Errc::kIo, fmt::format("{}: the file reports no size", path));
  return file;
}

// Without CAP_SYS_ADMIN the kernel serves only the first 64 bytes of a
// config file whose size says 256 or 4096.
Error cut_error(const ConfigFile& file, std::uint64_t readable) {
  return Error(Errc::kPermissionDenied,
               fmt::format("{}: only {} of {} bytes of config space are readable: extended config space "
                           "needs root (CAP_SYS_ADMIN); unprivileged, count through the kernel's cxl_pmu "
                           "perf interface instead",
                           file.path, readable, file.size));
}

// Reads until `out` is full or the file ends; the count, or -errno.
long read_at(int fd, std::uint8_t* out, std::size_t length, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<long>(done);
}

Status check_offset(const PciAddress& address, unsigned offset, std::uint64_t size) {
  if (offset % 4 != 0) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("{}: config offset 0x{:x} is not 4-byte aligned", address.to_string(), offset));
  }
  if (offset + std::uint64_t{4} > size) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("{}: config offset 0x{:x} is past the end of its {}-byte config space",
                             address.to_string(), offset, size));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Platform>> LinuxPlatform::open(const PlatformSource& options) {
  std::string root = options.sysfs_root.empty() ? kDefaultSysfsRoot : options.sysfs_root;
  const std::string devices = root + "/devices";
  std::error_code ec;
  if (!std::filesystem::is_directory(devices, ec)) {
    return Error(Errc::kNotFound,
                 fmt::format("no PCI sysfs tree at {}: {} is not a directory{}", root, devices,
                             ec ? " (" + ec.message() + ")" : ""));
  }
  return std::unique_ptr<Platform>(new LinuxPlatform(std::move(root)));
}

std::string LinuxPlatform::device_dir(const PciAddress& address) const {
  return root_ + "/devices/" + address.to_string();
}

std::string LinuxPlatform::driver_of(const PciAddress& address) const {
  std::error_code ec;
  const auto target = std::filesystem::read_symlink(device_dir(address) + "/driver", ec);
  return ec ? std::string() : target.filename().string();
}

Status LinuxPlatform::check_tree() const {
  const std::string devices = root_ + "/devices";
  std::error_code ec;
  std::filesystem::directory_iterator entries(devices, ec);
  if (ec) return Error(Errc::kNotFound, fmt::format("{}: {}", devices, ec.message()));
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with('.')) continue;
    auto address = PciAddress::parse(name);
    if (!address || address->to_string() != name) {
      return Error(Errc::kMalformed,
                   fmt::format("{}: entry '{}' is not a PCI address (DDDD:BB:DD.F)", devices, printable(name)));
    }
    // libpci opens these itself, blocking: a FIFO in their place would hang it.
    for (const char* required : kRequiredFiles) {
      if (Status file = check_sysfs_file(entry.path().string() + "/" + required); !file) return file.error();
    }
    // libpci reads config space too, when the file is there.
    const std::string config = entry.path().string() + "/config";
    if (std::filesystem::symlink_status(config, ec).type() != std::filesystem::file_type::not_found) {
      if (Status file = check_sysfs_file(config); !file) return file.error();
    }
  }
  return {};
}

Result<std::vector<PciFunctionInfo>> LinuxPlatform::enumerate() {
  if (Status tree = check_tree(); !tree) return tree.error();
  auto access = LibpciAccess::open_sysfs(root_);
  if (!access) return access.error();
  std::vector<PciFunctionInfo> functions = (*access)->functions();
  for (auto& function : functions) {
    function.sysfs_path = device_dir(function.address);
    // Read here rather than through libpci's PCI_FILL_DRIVER, which (3.9)
    // understands only the relative links the kernel makes.
    function.driver = driver_of(function.address);
  }
  std::sort(functions.begin(), functions.end(),
            [](const PciFunctionInfo& a, const PciFunctionInfo& b) { return a.address < b.address; });
  return functions;
}

Result<std::vector<std::uint8_t>> LinuxPlatform::read_config(const PciAddress& address, bool allow_partial) {
  const std::string path = device_dir(address) + "/config";
  auto file = open_config(path, O_RDONLY, "reading config space of " + address.to_string() + " (" + path + ")");
  if (!file) return file.error();
  std::vector<std::uint8_t> bytes(file->size);
  const long got = read_at(file->fd.get(), bytes.data(), bytes.size(), 0);
  if (got < 0) return Error(Errc::kIo, fmt::format("{}: {}", path, errno_text(static_cast<int>(-got))));
  if (static_cast<std::uint64_t>(got) < file->size) {
    if (!allow_partial || got == 0) return cut_error(*file, static_cast<std::uint64_t>(got));
    bytes.resize(static_cast<std::size_t>(got));
  }
  return bytes;
}

Result<std::uint32_t> LinuxPlatform::config_read32(const PciAddress& address, unsigned offset) {
  const std::string path = device_dir(address) + "/config";
  auto file = open_config(path, O_RDONLY, "reading config space of " + address.to_string() + " (" + path + ")");
  if (!file) return file.error();
  if (Status ok = check_offset(address, offset, file->size); !ok) return ok.error();
  std::uint8_t bytes[4] = {};
  const long got = read_at(file->fd.get(), bytes, sizeof bytes, offset);
  if (got < 0) return Error(Errc::kIo, fmt::format("{}: {}", path, errno_text(static_cast<int>(-got))));
  if (got < 4) return cut_error(*file, offset + static_cast<std::uint64_t>(got));
  return load_le32(bytes);
}

Status LinuxPlatform::config_write32(const PciAddress& address, unsigned offset, std::uint32_t value) {
  const std::string path = device_dir(address) + "/config";
  const std::string what = "writing config space of " + address.to_string() + " (" + path + ")";
  auto file = open_config(path, O_RDWR, what);
  if (!file) return file.error();
  if (Status ok = check_offset(address, offset, file->size); !ok) return ok;
  std::uint8_t bytes[4];
  store_le32(bytes, value);
  ssize_t n = 0;
  do {
    n = ::pwrite(file->fd.get(), bytes, sizeof bytes, offset);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    const int err = errno;
    if (err == EPERM || err == EACCES) return refused_access_error(err, what, read_lockdown());
    return Error(Errc::kIo, fmt::format("{}: {}", what, errno_text(err)));
  }
  if (n != sizeof bytes) {
    return Error(Errc::kIo, fmt::format("{}: only {} of 4 bytes at 0x{:x} were written", what, n, offset));
  }
  return {};
}

Result<std::unique_ptr<Mmio>> LinuxPlatform::map_bar(const PciAddress& address, unsigned bar,
                                                     std::uint64_t offset, std::uint64_t size) {
  if (bar >= pcireg::kBarCountType0) {
    return Error(Errc::kNotFound,
                 fmt::format("{} has no BAR{}: BARs are numbered 0 to {}", address.to_string(), bar,
                             pcireg::kBarCountType0 - 1));
  }
  const ResourceFile file{fmt::format("{}/resource{}", device_dir(address), bar),
                          fmt::format("BAR{} of {}", bar, address.to_string()), driver_of(address)};
  return BarMapping::map(file, offset, size);
}

Result<std::unique_ptr<InterruptSource>> LinuxPlatform::interrupt(const PciAddress& address, unsigned vector) {
  return Error(Errc::kUnsupported,
               fmt::format("{}: interrupt vector {}: delivering MSI/MSI-X to user space needs VFIO, which "
                           "cpmu does not use; counting falls back to polling",
                           address.to_string(), vector));
}

}  // namespace cpmu::detail
