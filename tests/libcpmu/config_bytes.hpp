// Test helper: a 4 KiB config space to poke values into, and the QEMU dumps.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace cpmu::testing {

class ConfigBytes {
 public:
  explicit ConfigBytes(std::size_t size = 4096) : bytes_(size, 0) {}

  ConfigBytes& put8(std::size_t offset, std::uint8_t value) {
    bytes_.at(offset) = value;
    return *this;
  }
  ConfigBytes& put16(std::size_t offset, std::uint16_t value) {
    for (int i = 0; i < 2; ++i) bytes_.at(offset + i) = static_cast<std::uint8_t>(value >> (8 * i));
    return *this;
  }
  ConfigBytes& put32(std::size_t offset, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) bytes_.at(offset + i) = static_cast<std::uint8_t>(value >> (8 * i));
    return *this;
  }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

// A QEMU 7.2 function's raw 4 KiB config space, e.g. qemu_config("switch", "cxl-type3_0f-00.0").
inline std::vector<std::uint8_t> qemu_config(const std::string& topology, const std::string& prefix) {
  std::ifstream in(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/" + topology + "/" + prefix + ".config.bin",
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace cpmu::testing
