// ConfigSpaceModel: masked byte storage plus model hooks.
#include "cxlsim/config_space_model.hpp"

#include <fmt/format.h>

namespace cpmu::sim {

ConfigSpaceModel::ConfigSpaceModel() = default;

Status ConfigSpaceModel::check_access(unsigned offset, unsigned size) {
  if (size != 1 && size != 2 && size != 4) {
    return Error(Errc::kInvalidArgument, fmt::format("config access of {} bytes at {:#x}: size must be 1, 2 or 4", size, offset));
  }
  if (offset % size != 0) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("config access of {} bytes at {:#x} is not naturally aligned", size, offset));
  }
  if (offset + size > kSize) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("config access of {} bytes at {:#x} is outside the {}-byte config space", size,
                             offset, kSize));
  }
  return {};
}

const ConfigSpaceModel::Hook* ConfigSpaceModel::hook_for(unsigned offset) const {
  for (const Hook& hook : hooks_) {
    if (offset >= hook.start && offset < hook.start + hook.length) return &hook;
  }
  return nullptr;
}

Result<std::uint32_t> ConfigSpaceModel::read(unsigned offset, unsigned size) {
  if (Status ok = check_access(offset, size); !ok) return ok.error();
  // Hooks are DW-aligned and accesses naturally aligned, so an access lies
  // wholly inside or wholly outside every hook.
  if (const Hook* hook = hook_for(offset)) return hook->read(offset - hook->start, size);
  return load(offset, size);
}

Status ConfigSpaceModel::write(unsigned offset, unsigned size, std::uint32_t value) {
  if (Status ok = check_access(offset, size); !ok) return ok;
  if (const Hook* hook = hook_for(offset)) {
    hook->write(offset - hook->start, size, value);
    return {};
  }
  for (unsigned i = 0; i < size; ++i) {
    const auto in = static_cast<std::uint8_t>(value >> (8 * i));
    const unsigned at = offset + i;
    std::uint8_t byte = static_cast<std::uint8_t>((bytes_[at] & ~writable_[at]) | (in & writable_[at]));
    byte = static_cast<std::uint8_t>(byte & ~(in & write_one_to_clear_[at]));
    bytes_[at] = byte;
  }
  return {};
}

void ConfigSpaceModel::store(unsigned offset, unsigned size, std::uint32_t value) {
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) {
    bytes_[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

std::uint32_t ConfigSpaceModel::load(unsigned offset, unsigned size) const {
  std::uint32_t value = 0;
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) {
    value |= static_cast<std::uint32_t>(bytes_[offset + i]) << (8 * i);
  }
  return value;
}

void ConfigSpaceModel::set_writable(unsigned offset, unsigned size, std::uint32_t mask) {
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) {
    writable_[offset + i] = static_cast<std::uint8_t>(mask >> (8 * i));
  }
}

void ConfigSpaceModel::set_write_one_to_clear(unsigned offset, unsigned size, std::uint32_t mask) {
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) {
    write_one_to_clear_[offset + i] = static_cast<std::uint8_t>(mask >> (8 * i));
  }
}

Status ConfigSpaceModel::add_hook(unsigned start, unsigned length, ReadHook read, WriteHook write) {
  if (start % 4 != 0 || length % 4 != 0 || length == 0 || start + length > kSize) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("hook range [{:#x}, {:#x}) must be non-empty, DW-aligned and inside config space",
                             start, start + length));
  }
  for (const Hook& hook : hooks_) {
    if (start < hook.start + hook.length && hook.start < start + length) {
      return Error(Errc::kInvalidArgument,
                   fmt::format("hook range [{:#x}, {:#x}) overlaps [{:#x}, {:#x})", start, start + length,
                               hook.start, hook.start + hook.length));
    }
  }
  hooks_.push_back(Hook{start, length, std::move(read), std::move(write)});
  return {};
}

}  // namespace cpmu::sim
