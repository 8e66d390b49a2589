// Fuzzes cpmutop's two small parsers, the rc file and --alert expressions:
// any input is a setup or an error naming the line, never a crash; a setup
// read back from its own text is the same setup.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "alert.hpp"
#include "settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto settings = cpmu::top::parse_rc_text(text, cpmu::top::Settings{}, "rc");
  if (settings) {
    auto again = cpmu::top::parse_rc_text(cpmu::top::format_rc(*settings), cpmu::top::Settings{}, "rc");
    if (!again || !(*again == *settings)) std::abort();
  } else if (settings.error().message().rfind("rc:", 0) != 0) {
    std::abort();
  }
  auto alert = cpmu::top::parse_alert(text.substr(0, 200));
  if (!alert && alert.error().message().find("--alert") == std::string::npos) std::abort();
  return 0;
}
