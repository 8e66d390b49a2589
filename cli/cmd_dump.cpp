// cpmu dump: every function's config space as lspci -xxxx text, from any backend.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "command.hpp"
#include "cpmu/lspci_text.hpp"
#include "machine_source.hpp"

namespace cpmu::cli {

Runner setup_dump(CLI::App& sub) {
  auto options = std::make_shared<MachineSourceOptions>();
  options->add_to(sub);
  return [options] {
    auto platform = options->open_platform();
    if (!platform) {
      fmt::print(stderr, "cpmu dump: {}\n", platform.error().message());
      return kExitUsage;
    }
    std::vector<Error> problems;
    auto text = format_lspci_dump(**platform, &problems);
    if (!text) {
      fmt::print(stderr, "cpmu dump: {}\n", text.error().message());
      return kExitUsage;
    }
    fmt::print("{}", *text);  // a failed write is main()'s to report
    for (const Error& problem : problems) fmt::print(stderr, "cpmu dump: warning: {}\n", problem.message());
    return problems.empty() ? kExitOk : kExitPartial;
  };
}

}  // namespace cpmu::cli
