// cpmutop's render cost per frame: building the frame model from a snapshot
// and drawing it to an off-screen ncurses window (no terminal output), with
// 64 and 1024 CPMUs. The machines are the default simulated machine's real
// snapshot, its host bridge repeated in other PCI domains until there are
// enough CPMUs. --write-recording FILE N FRAMES writes such a recording (64
// CPMUs for bench/run-cpmutop, which measures cpmutop's CPU share on a
// replay against htop's).
#include <benchmark/benchmark.h>
#include <curses.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "cpmu/recording.hpp"
#include "cpmu/session.hpp"
#include "cxlsim/sim_platform.hpp"
#include "frame_model.hpp"
#include "live_feed.hpp"
#include "screen.hpp"

namespace {

using namespace cpmu;
using namespace cpmu::top;

// One snapshot of the default machine counting cpmutop's default events.
struct Source {
  std::unique_ptr<Session> session;
  std::unique_ptr<Monitor> monitor;
  sim::SimulatedMachine* sim = nullptr;
};

Source& source() {
  static Source s = [] {
    Source out;
    SessionOptions options;
    options.source.backend = "sim";
    options.source.virtual_time = true;
    out.session = std::move(*Session::open(options));
    out.sim = &dynamic_cast<sim::SimPlatform&>(out.session->platform()).machine();
    out.session->cdat();
    CountingPlan plan = *plan_counting(*out.session, Settings{});
    plan.options.monitor.drive = MonitorDrive::kManual;
    plan.options.monitor.now = [sim = out.sim] { return sim->now_ns(); };
    out.monitor = std::move(out.session->count(std::move(plan.targets), std::move(plan.options))->monitor);
    (void)out.monitor->start();
    return out;
  }();
  return s;
}

std::shared_ptr<const Snapshot> sample(std::uint64_t advance_ns) {
  Source& s = source();
  (void)s.sim->advance(advance_ns);
  return s.monitor->sample_now();
}

// `base` with its sources repeated in PCI domains 1, 2, ... until `cpmus`.
Snapshot scaled(const Snapshot& base, std::size_t cpmus) {
  Snapshot out = base;
  out.sources.clear();
  out.series.clear();
  out.metrics.clear();
  for (unsigned domain = 0; out.sources.size() < cpmus; ++domain) {
    for (std::size_t i = 0; i < base.sources.size() && out.sources.size() < cpmus; ++i) {
      auto id = std::make_shared<SourceIdentity>(*base.sources[i].identity);
      id->name.function.domain = static_cast<std::uint16_t>(domain);
      for (std::string& up : id->upstream) {
        const std::string d = fmt::format("{:04x}", domain);
        up.replace(up.rfind("pci", 0) == 0 ? 3 : 0, 4, d);
      }
      const std::size_t index = out.sources.size();
      SourceStatus status = base.sources[i];
      status.identity = id;
      out.sources.push_back(status);
      for (const SeriesValue& v : base.series) {
        if (v.info->source != i) continue;
        SeriesValue copy = v;
        auto info = std::make_shared<SeriesInfo>(*v.info);
        info->source = index;
        copy.info = info;
        out.series.push_back(copy);
      }
      for (MetricValue m : base.metrics) {
        if (m.source != i) continue;
        m.source = index;
        out.metrics.push_back(m);
      }
    }
  }
  return out;
}

// An off-screen terminal: ncurses writes nothing unless refreshed, and
// nothing here refreshes.
WINDOW* offscreen(int height, int width) {
  static SCREEN* screen = [] {
    FILE* null_out = std::fopen("/dev/null", "w");
    FILE* null_in = std::fopen("/dev/null", "r");
    return newterm("xterm-256color", null_out, null_in);
  }();
  (void)screen;
  return newwin(height, width, 0, 0);
}

void BM_FrameAndDraw(benchmark::State& state) {
  const Snapshot snapshot = scaled(*sample(500'000'000), static_cast<std::size_t>(state.range(0)));
  Settings settings;
  const std::vector<Alert> alerts{*parse_alert("util>80")};
  const std::set<std::string> collapsed;
  WINDOW* w = offscreen(50, 160);
  ViewState view;
  Style style;
  for (auto _ : state) {
    const Frame frame = build_frame({&snapshot, "recording", nullptr, &settings, &alerts, &collapsed, ""});
    draw(w, frame, settings, view, {}, style);
    benchmark::DoNotOptimize(frame.rows.size());
  }
  state.counters["cpmus"] = static_cast<double>(snapshot.sources.size());
  delwin(w);
}
BENCHMARK(BM_FrameAndDraw)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);

void BM_FrameModelOnly(benchmark::State& state) {
  const Snapshot snapshot = scaled(*sample(500'000'000), static_cast<std::size_t>(state.range(0)));
  Settings settings;
  for (auto _ : state) {
    const Frame frame = build_frame({&snapshot, "recording", nullptr, &settings, nullptr, nullptr, ""});
    benchmark::DoNotOptimize(frame.rows.size());
  }
}
BENCHMARK(BM_FrameModelOnly)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);

int write_recording(const char* path, std::size_t cpmus, int frames) {
  RecordingHeader header{"cpmutop_bench", 1'796'000'000'000'000'000ull, 1'000'000'000, "simulated", ""};
  auto writer = RecordingWriter::create(path, header);
  if (!writer) {
    fmt::print(stderr, "{}\n", writer.error().message());
    return 1;
  }
  for (int i = 0; i < frames; ++i) {
    if (auto written = writer->write(scaled(*sample(1'000'000'000), cpmus)); !written) {
      fmt::print(stderr, "{}\n", written.error().message());
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "--write-recording") == 0) {
    return write_recording(argv[2], std::stoul(argv[3]), std::stoi(argv[4]));
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
