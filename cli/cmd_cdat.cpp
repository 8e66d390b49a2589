// cpmu cdat: the CDAT of every endpoint and switch upstream port (or of
// DEVICE), validated and decoded, with each DPA range's and port pair's
// latency and bandwidth. --raw saves the table's bytes as read. Exit status:
// 0 every table read and valid, 1 some table missing or invalid, 2 usage or
// backend error.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "cdat_view.hpp"
#include "command.hpp"
#include "cpmu/cdat_context.hpp"
#include "cpmu/json.hpp"
#include "device_selection.hpp"
#include "machine_source.hpp"
#include "output_file.hpp"

namespace cpmu::cli {
namespace {

struct CdatCommandOptions {
  MachineSourceOptions machine;
  std::string device;
  bool json = false;
  bool force = false;
  std::string raw_file;
};

Status save_raw(const CdatContext& context, const std::string& path) {
  if (context.functions.size() != 1) {
    return Error(Errc::kInvalidArgument,
                 fmt::format("--raw saves one table, but {} functions are selected: name one as DEVICE",
                             context.functions.size()));
  }
  const FunctionCdat& f = context.functions.front();
  if (f.raw.empty()) {
    return Error(Errc::kNotFound, fmt::format("--raw: no table was read ({})",
                                              f.error ? f.error->message() : std::string("no source")));
  }
  auto out = Output::create_file(path);
  if (!out) return Error(Errc::kIo, fmt::format("--raw: {}", out.error().message()));
  Status written = out->write([&](std::FILE* stream) {
    if (std::fwrite(f.raw.data(), 1, f.raw.size(), stream) != f.raw.size()) {
      throw std::system_error(errno, std::generic_category());
    }
  });
  if (written) written = out->finish();
  if (!written) return Error(Errc::kIo, fmt::format("--raw: {}", written.error().message()));
  return {};
}

int run_cdat(const CdatCommandOptions& options) {
  auto opened = options.machine.open();
  if (!opened) {
    fmt::print(stderr, "cpmu cdat: {}\n", opened.error().message());
    return kExitUsage;
  }
  Session& session = **opened;
  if (const std::string note = unprivileged_note(session); !note.empty()) {
    fmt::print(stderr, "cpmu cdat: {}\n", note);
    return kExitPartial;
  }
  auto selected = select_devices(session, options.device, has_cdat_role);
  if (!selected) {
    fmt::print(stderr, "cpmu cdat: {}\n", selected.error().message());
    return kExitUsage;
  }
  CdatReadOptions read;
  read.cxl_root = session.kernel_roots().cxl;
  read.access.force = options.force;
  const CdatContext context = read_cdat_context(session.platform(), session.machine(), session.topology(), read, *selected);

  if (!options.raw_file.empty()) {
    if (Status saved = save_raw(context, options.raw_file); !saved) {
      fmt::print(stderr, "cpmu cdat: {}\n", saved.error().message());
      return saved.error().code() == Errc::kInvalidArgument ? kExitUsage : kExitPartial;
    }
  }
  if (options.json) {
    fmt::print("{}", json::encode_cdat(session.machine(), context));
  } else {
    fmt::print("{}", render_cdat_text(session.machine(), context));
    if (context.functions.empty()) fmt::print(stderr, "cpmu cdat: no endpoint or switch port with a DOE mailbox\n");
  }
  bool partial = false;
  for (const FunctionCdat& f : context.functions) {
    if (!f.table) {
      partial = true;
      if (!options.json && f.error && f.error->code() == Errc::kOwnedByDriver) {
        fmt::print(stderr, "cpmu cdat: {}: use --force to read it over DOE anyway\n",
                   session.machine().functions[f.function].info.address.to_string());
      }
    }
  }
  return partial ? kExitPartial : kExitOk;
}

}  // namespace

Runner setup_cdat(CLI::App& app) {
  auto options = std::make_shared<CdatCommandOptions>();
  options->machine.add_to(app);
  app.add_option("DEVICE", options->device, "Which functions: a selector (cpmu(1) SELECTORS: 0f:00.0, mem0, endpoint, mem*, ...); "
                                            "default: every endpoint and switch upstream port with a DOE mailbox")
      ->type_name("DEVICE");
  app.add_flag("--json", options->json, "Print JSON instead of text");
  app.add_option("--raw", options->raw_file, "Also save the table's raw bytes (as read, even if invalid) to FILE")
      ->type_name("FILE");
  app.add_flag("--force", options->force, "Read over DOE mailboxes the kernel may be using too (risks colliding "
                                          "with the kernel's own DOE exchanges)");
  return [options] { return run_cdat(*options); };
}

}  // namespace cpmu::cli
