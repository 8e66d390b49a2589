// Fuzzes the recording reader: any input is a header and frames or an error
// naming the file and line, never a crash or a hang; whatever it reads
// writes back to the same lines.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cpmu/json.hpp"
#include "cpmu/recording.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto reader = cpmu::RecordingReader::from_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!reader) {
    if (reader.error().message().rfind("fuzz", 0) != 0) std::abort();
    return 0;
  }
  auto header = cpmu::json::encode_recording_header(reader->header());
  if (!header || !cpmu::json::decode_recording_header(*header)) std::abort();
  for (;;) {
    auto frame = reader->next();
    if (!frame) {
      if (frame.error().message().rfind("fuzz:", 0) != 0 || reader->next()) std::abort();
      return 0;
    }
    if (!frame->has_value()) return 0;
    const std::string line = cpmu::json::encode_snapshot(**frame);
    auto again = cpmu::json::decode_snapshot(line);
    if (!again || cpmu::json::encode_snapshot(*again) != line) std::abort();
  }
}
