// Fuzz target: every parser of outside input in cpmu-exporter. The first byte
// picks one, the rest is its input: the collection file, the web
// configuration file, an Accept header, an Accept-Encoding header, an
// Authorization header. Each must return a value or an error naming its
// file, never crash, hang or throw. Seeds: corpus/exporter_input_fuzz/.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "basic_auth.hpp"
#include "collection_config.hpp"
#include "exposition.hpp"
#include "web_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto config = cpmu::exporter::parse_collection_config(text, "fuzz.yml");
      if (!config && config.error().message().rfind("fuzz.yml", 0) != 0) __builtin_trap();
      break;
    }
    case 1: {
      auto config = cpmu::exporter::parse_web_config(text, "fuzz.yml");
      if (!config && config.error().message().rfind("fuzz.yml", 0) != 0) __builtin_trap();
      break;
    }
    case 2: static_cast<void>(cpmu::exporter::negotiate_format(text)); break;
    case 3: static_cast<void>(cpmu::exporter::accepts_gzip(text)); break;
    case 4: {
      // "u:p" with a cheap hash (cost 4), so that the fuzzer is not all bcrypt.
      static const std::map<std::string, std::string> users = {
          {"u", "$2y$04$XoWqXu6xdgt46maT11lU0.cx0l9DZFw2CmlBxCLsDkqCB9NU8gWRW"}};
      static_cast<void>(cpmu::exporter::basic_auth_allows(users, text));
      break;
    }
  }
  return 0;
}
