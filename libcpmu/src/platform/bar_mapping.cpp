#include "platform/bar_mapping.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "platform/sysfs_file.hpp"
#include "util/unique_fd.hpp"

namespace cpmu::detail {

Error mapping_error(int err, const ResourceFile& file, LockdownState lockdown) {
  const std::string what = fmt::format("mapping {} ({})", file.name, file.path);
  switch (err) {
    case ENOENT:
      return Error(Errc::kNotFound,
                   fmt::format("{}: no such file: the BAR is not implemented or the function does not exist",
                               what));
    case EPERM:
    case EACCES:
      return refused_access_error(err, what, lockdown);
    case EINVAL:
      if (!file.driver.empty()) {
        return Error(Errc::kOwnedByDriver,
                     fmt::format("{} is claimed by driver {} (CONFIG_IO_STRICT_DEVMEM); boot with "
                                 "iomem=relaxed or unbind the driver",
                                 file.name, file.driver));
      }
      return Error(Errc::kUnsupported,
                   fmt::format("{}: the kernel refused the mapping (EINVAL): an I/O BAR, or a range "
                               "the kernel reserves",
                               what));
    default:
      return Error(Errc::kIo, fmt::format("{}: {}", what, std::strerror(err)));
  }
}

Result<std::unique_ptr<Mmio>> BarMapping::map(const ResourceFile& file, std::uint64_t offset,
                                              std::uint64_t size) {
  int open_errno = 0;
  Result<UniqueFd> opened = open_sysfs_file(file.path, O_RDWR, &open_errno);
  if (!opened && open_errno == 0) return opened.error();  // there, but no regular file
  if (!opened) return mapping_error(open_errno, file, read_lockdown());
  const UniqueFd fd = std::move(*opened);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    const int err = errno;
    return mapping_error(err, file, LockdownState::kUnknown);
  }
  const auto bar_size = static_cast<std::uint64_t>(st.st_size);
  if (size == 0 || offset > bar_size || size > bar_size - offset) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("window 0x{:x}+0x{:x} does not fit in {}, which is 0x{:x} bytes", offset, size,
                             file.name, bar_size));
  }
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t delta = offset % page;
  const std::uint64_t length = delta + size;
  if (length > std::numeric_limits<std::size_t>::max()) {
    return Error(Errc::kInvalidArgument, fmt::format("window 0x{:x} of {} is too large", size, file.name));
  }
  // The mapping keeps its own reference to the file; the fd can go.
  void* mapping = ::mmap(nullptr, static_cast<std::size_t>(length), PROT_READ | PROT_WRITE, MAP_SHARED,
                         fd.get(), static_cast<off_t>(offset - delta));
  if (mapping == MAP_FAILED) {
    const int err = errno;
    return mapping_error(err, file, read_lockdown());
  }
  return std::unique_ptr<Mmio>(new BarMapping(mapping, static_cast<std::size_t>(length), delta, size));
}

BarMapping::BarMapping(void* mapping, std::size_t length, std::uint64_t delta, std::uint64_t size)
    : mapping_(mapping),
      length_(length),
      window_(static_cast<volatile std::uint8_t*>(mapping) + delta),
      size_(size) {}

BarMapping::~BarMapping() { ::munmap(mapping_, length_); }

bool BarMapping::fits(std::uint64_t offset, unsigned width) const {
  return offset % width == 0 && offset < size_ && width <= size_ - offset;
}

template <typename T>
volatile T* BarMapping::at(std::uint64_t offset) const {
  // Device registers must be read with exactly one access of the stated
  // width; a volatile access of an aligned T is that.
  return reinterpret_cast<volatile T*>(window_ + offset);
}

std::uint32_t BarMapping::read32(std::uint64_t offset) {
  return fits(offset, 4) ? *at<std::uint32_t>(offset) : ~std::uint32_t{0};
}

std::uint64_t BarMapping::read64(std::uint64_t offset) {
  return fits(offset, 8) ? *at<std::uint64_t>(offset) : ~std::uint64_t{0};
}

void BarMapping::write32(std::uint64_t offset, std::uint32_t value) {
  if (fits(offset, 4)) *at<std::uint32_t>(offset) = value;
}

void BarMapping::write64(std::uint64_t offset, std::uint64_t value) {
  if (fits(offset, 8)) *at<std::uint64_t>(offset) = value;
}

}  // namespace cpmu::detail
