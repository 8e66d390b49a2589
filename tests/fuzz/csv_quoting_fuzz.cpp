// The CSV output's quoting (cpmu stat -x SEP) as a round trip: a --plan
// line whose CPMU, event and reason fields and whose separator come from the
// input is written by the CSV renderer and read back by an RFC 4180 reader
// here; the fields must come back exactly. The input is SEP, a 0 byte, then
// the three fields separated by 0 bytes. Separators -x refuses are skipped.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "option_values.hpp"
#include "stat_output.hpp"

namespace {

std::vector<std::string> split(std::string_view text, char at) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == at) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

// Reads one CSV line (without its final newline) into fields.
std::vector<std::string> read_csv(std::string_view line, std::string_view sep) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (true) {
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) std::abort();  // an unterminated quote
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
    } else {
      const std::size_t end = line.find(sep, i);
      field = std::string(line.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
      i = end == std::string_view::npos ? line.size() : end;
    }
    fields.push_back(std::move(field));
    if (i == line.size()) return fields;
    if (line.substr(i, sep.size()) != sep) std::abort();  // something after a quoted field
    i += sep.size();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = split(std::string_view(reinterpret_cast<const char*>(data), size), '\0');
  if (parts.size() != 4 || parts[1].empty() || parts[3].empty()) return 0;
  const std::string& sep = parts[0];
  if (!cpmu::cli::check_separator("-x", sep)) return 0;
  cpmu::cli::PlanRow row{parts[1], parts[2], std::nullopt, parts[3]};

  char* text = nullptr;
  std::size_t length = 0;
  std::FILE* out = ::open_memstream(&text, &length);
  if (out == nullptr) std::abort();
  cpmu::cli::make_csv_renderer(out, sep, false)->plan({row});
  std::fclose(out);
  std::string written(text, length);
  std::free(text);

  if (written.empty() || written.back() != '\n') std::abort();
  written.pop_back();
  const std::vector<std::string> fields = read_csv(written, sep);
  const std::vector<std::string> expected = {row.cpmu, row.event, "unusable", "", "", row.unusable};
  if (fields != expected) std::abort();
  return 0;
}
