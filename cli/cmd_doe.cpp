// cpmu doe: every DOE mailbox of the selected functions and the protocols
// each one answers in DOE discovery. Mailboxes the kernel may be using are
// only queried with --force. Exit status: 0 every mailbox queried, 1 some
// mailbox failed or was left alone, 2 usage or backend error.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <optional>

#include "command.hpp"
#include "cpmu/doe.hpp"
#include "cpmu/json.hpp"
#include "device_selection.hpp"
#include "machine_source.hpp"

namespace cpmu::cli {
namespace {

struct DoeOptions {
  MachineSourceOptions machine;
  std::string device;
  bool json = false;
  bool force = false;
};

bool has_mailbox(const DiscoveredFunction& fn) { return !fn.doe_mailboxes.empty(); }

std::string protocol_id(DoeProtocol p) { return fmt::format("{:04x}:{:02x}", p.vendor_id, p.type); }

std::vector<DoeFunctionReport> query_all(Session& session, const std::vector<std::size_t>& selected,
                                      const DoeAccessPolicy& policy) {
  std::vector<DoeFunctionReport> reports;
  for (std::size_t i : selected) {
    const DiscoveredFunction& fn = session.machine().functions[i];
    DoeFunctionReport report{i, {}, std::nullopt};
    for (const auto& found : fn.doe_mailboxes) {
      DoeMailboxReport m{found.offset, found.interrupt_support, found.interrupt_message, {}, std::nullopt};
      if (Status access = check_doe_access(session.platform(), fn.info, policy); !access) {
        m.error = access.error();
        report.kernel_protocols = read_kernel_doe_features(fn.info.sysfs_path);
      } else {
        DoeMailbox mailbox(session.platform(), fn.info.address, found.offset);
        auto protocols = discover_doe_protocols(mailbox);
        if (protocols) {
          m.protocols = std::move(*protocols);
        } else {
          m.error = protocols.error();
        }
      }
      report.mailboxes.push_back(std::move(m));
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

void print_protocols(const std::vector<DoeProtocol>& protocols) {
  for (const DoeProtocol& p : protocols) {
    const auto name = doe_protocol_name(p);
    fmt::print("    {}  {}\n", protocol_id(p), name.empty() ? "(unknown protocol)" : name);
  }
}

void print_text(const Session& session, const std::vector<DoeFunctionReport>& reports) {
  for (const DoeFunctionReport& report : reports) {
    const DiscoveredFunction& fn = session.machine().functions[report.function];
    fmt::print("{}\n", function_heading(fn));
    if (report.mailboxes.empty()) fmt::print("  no DOE mailbox\n");
    for (const DoeMailboxReport& m : report.mailboxes) {
      fmt::print("  DOE@{:#x}  interrupt: {}\n", m.offset,
                 m.interrupt_support ? fmt::format("message {}", m.interrupt_message) : std::string("no"));
      print_protocols(m.protocols);
      if (m.error) {
        const bool refused = m.error->code() == Errc::kOwnedByDriver;
        fmt::print("    {}: {}{}\n", refused ? "not queried" : "error", m.error->message(),
                   refused ? " (use --force)" : "");
      }
    }
    if (report.kernel_protocols) {
      fmt::print("  the kernel lists (doe_features, all mailboxes of the function):\n");
      print_protocols(*report.kernel_protocols);
    }
  }
}

int run_doe(const DoeOptions& options) {
  auto session = options.machine.open();
  if (!session) {
    fmt::print(stderr, "cpmu doe: {}\n", session.error().message());
    return kExitUsage;
  }
  if (const std::string note = unprivileged_note(**session); !note.empty()) {
    fmt::print(stderr, "cpmu doe: {}\n", note);
    return kExitPartial;
  }
  auto selected = select_devices(**session, options.device, has_mailbox);
  if (!selected) {
    fmt::print(stderr, "cpmu doe: {}\n", selected.error().message());
    return kExitUsage;
  }
  DoeAccessPolicy policy;
  policy.force = options.force;
  const auto reports = query_all(**session, *selected, policy);
  if (options.json) {
    fmt::print("{}", json::encode_doe((**session).machine(), reports));
  } else {
    print_text(**session, reports);
    if (reports.empty()) fmt::print(stderr, "cpmu doe: no function with a DOE mailbox found\n");
  }
  for (const DoeFunctionReport& r : reports) {
    for (const DoeMailboxReport& m : r.mailboxes) {
      if (m.error) return kExitPartial;
    }
  }
  return kExitOk;
}

}  // namespace

Runner setup_doe(CLI::App& app) {
  auto options = std::make_shared<DoeOptions>();
  options->machine.add_to(app);
  app.add_option("DEVICE", options->device, "Which functions: a selector (cpmu(1) SELECTORS: 0d:00.0, mem0, endpoint, mem*, ...); "
                                            "default: every function with a DOE mailbox")
      ->type_name("DEVICE");
  app.add_flag("--json", options->json, "Print JSON instead of text");
  app.add_flag("--force", options->force, "Query mailboxes the kernel may be using too (risks colliding with "
                                          "the kernel's own DOE exchanges)");
  return [options] { return run_doe(*options); };
}

}  // namespace cpmu::cli
