// cpmu report: what a recording (cpmu record, cpmutop --record) amounts to,
// per component, as text or one JSON document (type "report"). The numbers
// are libcpmu's (cpmu/recording_report.hpp); this file lays them out.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "command.hpp"
#include "cpmu/recording_report.hpp"
#include "cpmu/value_text.hpp"

namespace cpmu::cli {

namespace {

struct ReportOptions {
  std::string file;
  bool json = false;
};

std::string traffic_line(const char* direction, const TrafficReport& t) {
  std::string line =
      fmt::format("  {:<6} {:>12}B  mean {:>12}B/s  peak {:>12}B/s", direction, si_scaled(static_cast<double>(t.bytes)),
                  si_scaled(t.mean_bytes_per_second), si_scaled(t.peak_bytes_per_second));
  if (t.capacity_bytes_per_second && t.mean_utilisation && t.peak_utilisation) {
    line += fmt::format("  {} mean, {} peak of CDAT {}B/s", percent(*t.mean_utilisation), percent(*t.peak_utilisation),
                        si_scaled(*t.capacity_bytes_per_second));
  } else {
    line += "  (no CDAT bandwidth)";
  }
  return line;
}

void print_text(const RecordingReport& report, const std::string& file) {
  fmt::print("{}: {} ({}), {} frames over {} s\n", file, report.header.tool, report.header.source, report.frames,
             seconds(report.duration_ns));
  for (const ComponentReport& c : report.components) {
    fmt::print("\n{} {}{}\n", c.cpmu, component_kind_title(c.kind), c.memdev.empty() ? "" : " " + c.memdev);
    if (c.read) fmt::print("{}\n", traffic_line("read", *c.read));
    if (c.write) fmt::print("{}\n", traffic_line("write", *c.write));
    for (const EventTotalReport& e : c.events) {
      const std::string value = e.state == CountState::kCounted      ? grouped(e.total)
                                : e.state == CountState::kNotCounted ? "<not counted>"
                                                                     : "<not supported>";
      fmt::print("  {:>20}  {}{}\n", value, e.event, e.trusted ? "" : "  (untrusted)");
    }
  }
}

int run_report(const ReportOptions& options) {
  auto reader = RecordingReader::open(options.file);
  if (!reader) {
    fmt::print(stderr, "cpmu report: {}\n", reader.error().message());
    return kExitUsage;
  }
  auto report = report_recording(*reader);
  if (!report) {
    fmt::print(stderr, "cpmu report: {}: {}\n", options.file, report.error().message());
    return kExitUsage;
  }
  if (options.json) {
    fmt::print("{}", json::encode_report(*report));
  } else {
    print_text(*report, options.file);
  }
  return kExitOk;
}

}  // namespace

Runner setup_report(CLI::App& app) {
  auto options = std::make_shared<ReportOptions>();
  app.add_option("file", options->file, "The recording (cpmu record -o FILE, cpmutop --record FILE)")
      ->required()
      ->type_name("FILE");
  app.add_flag("-j,--json", options->json, "One JSON document (type report, schema: cpmu(1))");
  return [options] { return run_report(*options); };
}

}  // namespace cpmu::cli
