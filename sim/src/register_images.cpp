// Component and memory-device register images.
#include "cxlsim/register_images.hpp"

#include <fmt/format.h>

#include "cpmu/regs/register_blocks.hpp"

namespace cpmu::sim {
namespace {

void put32(std::vector<std::uint8_t>& bytes, std::uint64_t offset, std::uint64_t value) {
  for (unsigned i = 0; i < 4; ++i) bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// 0 -> 1 decoder, n -> 2n decoders.
std::optional<unsigned> decoder_count_code(unsigned decoders) {
  if (decoders == 1) return 0;
  if (decoders % 2 == 0 && decoders >= 2 && decoders <= 8) return decoders / 2;
  return std::nullopt;
}

}  // namespace

std::uint64_t RegisterImage::read(std::uint64_t offset, unsigned size) const {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < size && i < 8; ++i) {
    if (offset + i < bytes_.size()) value |= static_cast<std::uint64_t>(bytes_[offset + i]) << (8 * i);
  }
  return value;
}

Result<RegisterImage> component_block_image(std::optional<unsigned> hdm_decoders) {
  namespace c = regs::component;
  std::optional<unsigned> code;
  if (hdm_decoders) {
    code = decoder_count_code(*hdm_decoders);
    if (!code) {
      return Error(Errc::kInvalidArgument,
                   fmt::format("{} HDM decoders: the component block can describe 1, 2, 4, 6 or 8", *hdm_decoders));
    }
  }
  struct Cap {
    unsigned id, version, length;
  };
  std::vector<Cap> caps = {{c::cap_id::kRas, c::ras::kVersion, c::ras::kLength},
                           {c::cap_id::kLink, c::link::kVersion, c::link::kLength}};
  if (hdm_decoders) caps.push_back({c::cap_id::kHdmDecoder, c::hdm::kVersion, c::hdm::length(*hdm_decoders)});

  std::vector<std::uint8_t> bytes(c::kBlockSize, 0);
  const unsigned array = c::kCacheMemArray;
  put32(bytes, array,
        c::kCapId.make(c::kArrayHeaderId) | c::kCapVersion.make(1) | c::kCacheMemVersion.make(1) |
            c::kArraySize.make(caps.size()));
  unsigned structure = c::kFirstCapStructure;
  for (unsigned i = 0; i < caps.size(); ++i) {
    const Cap& cap = caps[i];
    put32(bytes, array + 4 * (i + 1),
          c::kCapId.make(cap.id) | c::kCapVersion.make(cap.version) | c::kCapPointer.make(structure));
    if (cap.id == c::cap_id::kRas) {
      // Every implemented error is masked and uncorrectable ones are fatal, as QEMU resets them.
      put32(bytes, array + structure + c::ras::kUncorrectableMask, c::ras::kUncorrectableBits);
      put32(bytes, array + structure + c::ras::kUncorrectableSeverity, c::ras::kUncorrectableBits);
      put32(bytes, array + structure + c::ras::kCorrectableMask, c::ras::kCorrectableBits);
    }
    if (cap.id == c::cap_id::kHdmDecoder) {
      put32(bytes, array + structure,
            c::kHdmDecoderCount.make(*code) | c::kHdmTargetCount.make(1) | c::kHdmInterleave11To8.mask() |
                c::kHdmInterleave14To12.mask());
    }
    structure += cap.length;
  }
  return RegisterImage(std::move(bytes));
}

RegisterImage memory_device_block_image() {
  namespace m = regs::memdev;
  struct Cap {
    unsigned id, offset, length;
  };
  const Cap caps[] = {
      {m::cap_id::kDeviceStatus, m::layout::kDeviceStatus, m::layout::kDeviceStatusLength},
      {m::cap_id::kPrimaryMailbox, m::layout::kPrimaryMailbox, m::layout::kPrimaryMailboxLength},
      {m::cap_id::kMemoryDevice, m::layout::kMemoryDeviceStatus, m::layout::kMemoryDeviceStatusLength},
  };
  std::vector<std::uint8_t> bytes(m::kBlockSize, 0);
  const std::uint64_t header = m::kArrayId.make(0) | m::kArrayVersion.make(1) | m::kArrayCount.make(std::size(caps));
  put32(bytes, 0, header);
  put32(bytes, 4, header >> 32);
  for (unsigned i = 0; i < std::size(caps); ++i) {
    put32(bytes, m::cap_header(i), m::kCapId.make(caps[i].id) | m::kCapVersion.make(1));
    put32(bytes, m::cap_header(i) + m::kCapOffset, caps[i].offset);
    put32(bytes, m::cap_header(i) + m::kCapLength, caps[i].length);
  }
  put32(bytes, m::layout::kPrimaryMailbox, m::kMailboxPayloadSize.make(m::kPayloadSizeLog2));
  put32(bytes, m::layout::kMemoryDeviceStatus, m::kMediaStatus.make(m::kMediaReady) | m::kMailboxReady.mask());
  return RegisterImage(std::move(bytes));
}

}  // namespace cpmu::sim
