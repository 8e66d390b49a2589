// The recording renderer of `cpmu record`: frames, not text. A write error is
// reported once; counting goes on so that the command still runs to its end.
#include <fmt/format.h>

#include "cpmu/json.hpp"
#include "stat_output.hpp"

namespace cpmu::cli {

namespace {

class RecordingRenderer final : public StatRenderer {
 public:
  RecordingRenderer(RecordingWriter writer, std::string path) : writer_(std::move(writer)), path_(std::move(path)) {}

  void plan(const std::vector<PlanRow>&) override {}
  void interval(const Snapshot& snapshot, const std::vector<StatRow>&) override { write(snapshot); }
  void totals(const Snapshot& snapshot, const std::vector<StatRow>&, const StatRun& run) override {
    write(snapshot);
    fmt::print(stderr, "cpmu record: {} frames of {} written to {}\n", writer_.frames(), run.target,
               path_ == "-" ? "standard output" : path_);
  }

 private:
  void write(const Snapshot& snapshot) {
    if (failed_) return;
    if (auto written = writer_.write(snapshot); !written) {
      failed_ = true;
      fmt::print(stderr, "cpmu record: {}\n", written.error().message());
    }
  }

  RecordingWriter writer_;
  std::string path_;
  bool failed_ = false;
};

}  // namespace

RecordingHeader recording_header(Session& session, unsigned interval_ms) {
  RecordingHeader header;
  header.tool = "cpmu record " CPMU_VERSION;
  header.start_wall_time_ns = wall_clock_now()();
  header.interval_ns = static_cast<std::uint64_t>(interval_ms) * 1'000'000;
  const std::string_view backend = session.backend().name;
  header.source = backend == "linux" ? "hardware" : backend == "sim" ? "simulated" : backend;
  json::MachineDocument machine;
  machine.machine = &session.machine();
  machine.topology = &session.topology();
  header.machine = json::encode_machine(machine);
  return header;
}

std::unique_ptr<StatRenderer> make_recording_renderer(RecordingWriter writer, std::string path) {
  return std::make_unique<RecordingRenderer>(std::move(writer), std::move(path));
}

}  // namespace cpmu::cli
