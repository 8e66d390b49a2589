// Fuzzes the snapshot decoder: any input decodes or is an error, never a
// crash; what decodes encodes to a document that decodes to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cpmu/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto decoded = cpmu::json::decode_snapshot(text);
  if (!decoded) {
    if (decoded.error().message().empty()) std::abort();
    return 0;
  }
  const std::string encoded = cpmu::json::encode_snapshot(*decoded);
  const auto again = cpmu::json::decode_snapshot(encoded);
  if (!again || cpmu::json::encode_snapshot(*again) != encoded) std::abort();
  return 0;
}
