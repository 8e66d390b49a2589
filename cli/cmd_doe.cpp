// cpmu doe: every DOE mailbox of the selected functions and the protocols
// each one answers in DOE discovery. Mailboxes the kernel may be using are
// only queried with --force. Exit status: 0 every mailbox queried, 1 some
// mailbox failed or was left alone, 2 usage or backend error.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>

#include "command.hpp"
#include "cpmu/doe.hpp"
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

struct MailboxReport {
  unsigned offset = 0;
  bool interrupt_support = false;
  unsigned interrupt_message = 0;
  std::vector<DoeProtocol> protocols;
  std::optional<Error> error;
};

struct FunctionReport {
  std::size_t function = 0;
  std::vector<MailboxReport> mailboxes;
  // What the kernel found, when a mailbox was left alone and the kernel says.
  std::optional<std::vector<DoeProtocol>> kernel_protocols;
};

bool has_mailbox(const DiscoveredFunction& fn) { return !fn.doe_mailboxes.empty(); }

std::string protocol_id(DoeProtocol p) { return fmt::format("{:04x}:{:02x}", p.vendor_id, p.type); }

std::vector<FunctionReport> query_all(Session& session, const std::vector<std::size_t>& selected,
                                      const DoeAccessPolicy& policy) {
  std::vector<FunctionReport> reports;
  for (std::size_t i : selected) {
    const DiscoveredFunction& fn = session.machine().functions[i];
    FunctionReport report{i, {}, std::nullopt};
    for (const auto& found : fn.doe_mailboxes) {
      MailboxReport m{found.offset, found.interrupt_support, found.interrupt_message, {}, std::nullopt};
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

nlohmann::ordered_json protocols_json(const std::vector<DoeProtocol>& protocols) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const DoeProtocol& p : protocols) {
    nlohmann::ordered_json pj;
    pj["vendor_id"] = p.vendor_id;
    pj["type"] = p.type;
    if (auto name = doe_protocol_name(p); !name.empty()) pj["name"] = name;
    out.push_back(pj);
  }
  return out;
}

void print_text(const Session& session, const std::vector<FunctionReport>& reports) {
  for (const FunctionReport& report : reports) {
    const DiscoveredFunction& fn = session.machine().functions[report.function];
    fmt::print("{}\n", function_heading(fn));
    if (report.mailboxes.empty()) fmt::print("  no DOE mailbox\n");
    for (const MailboxReport& m : report.mailboxes) {
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

void print_json(const Session& session, const std::vector<FunctionReport>& reports) {
  nlohmann::ordered_json functions = nlohmann::ordered_json::array();
  for (const FunctionReport& report : reports) {
    const DiscoveredFunction& fn = session.machine().functions[report.function];
    nlohmann::ordered_json f;
    f["bdf"] = fn.info.address.to_string();
    f["kind"] = component_kind_name(fn.kind);
    if (!fn.memdev.empty()) f["memdev"] = fn.memdev;
    f["mailboxes"] = nlohmann::ordered_json::array();
    for (const MailboxReport& m : report.mailboxes) {
      nlohmann::ordered_json j;
      j["offset"] = m.offset;
      j["interrupt_support"] = m.interrupt_support;
      if (m.interrupt_support) j["interrupt_message"] = m.interrupt_message;
      j["protocols"] = protocols_json(m.protocols);
      if (m.error) j["error"] = {{"code", errc_name(m.error->code())}, {"message", m.error->message()}};
      f["mailboxes"].push_back(j);
    }
    if (report.kernel_protocols) f["kernel_protocols"] = protocols_json(*report.kernel_protocols);
    functions.push_back(f);
  }
  nlohmann::ordered_json out;
  out["schema_version"] = 1;
  out["functions"] = functions;
  fmt::print("{}\n", out.dump(2));
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
    print_json(**session, reports);
  } else {
    print_text(**session, reports);
    if (reports.empty()) fmt::print(stderr, "cpmu doe: no function with a DOE mailbox found\n");
  }
  for (const FunctionReport& r : reports) {
    for (const MailboxReport& m : r.mailboxes) {
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
