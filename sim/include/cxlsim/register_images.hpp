// Static, read-only images of the register blocks a Register Locator names
// besides the CPMUs: the component block (CXL.cache/mem capability array at
// +0x1000) and the memory-device block (device capability array). Layouts as
// QEMU 7.2 builds them (../shared/qemu-cxl/dumps: *-blk1-bar0.bin, *-blk3-bar2.bin).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "cpmu/result.hpp"

namespace cpmu::sim {

class RegisterImage {
 public:
  explicit RegisterImage(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}

  std::uint64_t size() const { return bytes_.size(); }
  // Little-endian read of `size` bytes (1..8); bytes past the end read 0.
  std::uint64_t read(std::uint64_t offset, unsigned size) const;
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

// A 64 KiB component block with RAS and Link capabilities and, when
// hdm_decoders is set, an HDM decoder capability for that many decoders
// (1, 2, 4, 6 or 8: the counts the 4-bit count field encodes).
Result<RegisterImage> component_block_image(std::optional<unsigned> hdm_decoders);

// A 4 KiB memory-device block: device status, primary mailbox (2 KiB payload,
// idle) and memory device status (media ready, mailbox ready).
RegisterImage memory_device_block_image();

}  // namespace cpmu::sim
