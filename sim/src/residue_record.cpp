#include "residue_record.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <fmt/format.h>

namespace cpmu::sim {

void append_residue_record(const std::vector<std::unique_ptr<SimFunction>>& functions) {
  const char* path = std::getenv("CXLSIM_RESIDUE_FILE");
  if (path == nullptr || *path == '\0') return;
  std::string text;
  for (const auto& f : functions) {
    for (std::size_t i = 0; i < f->cpmus.size(); ++i) {
      const CpmuModel::Residue r = f->cpmus[i]->residue();
      text += fmt::format("{}/{} enabled={:#x} frozen={:#x} overflow={:#x}\n", f->address.to_string(), i, r.enabled,
                          r.frozen, r.overflow);
    }
  }
  // One append of the whole record: machines of several processes may share the file.
  const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  [[maybe_unused]] const ssize_t written = ::write(fd, text.data(), text.size());
  ::close(fd);
}

}  // namespace cpmu::sim
