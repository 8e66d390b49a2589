// Summarising a recording frame by frame, in memory bounded by the number of
// series (not of frames).
#include <fmt/format.h>

#include <algorithm>

#include "cpmu/events.hpp"
#include "cpmu/recording_report.hpp"

namespace cpmu {

namespace {

// The CXL events that carry a 64-byte line (events/cxl/standard.json).
constexpr EventCode kReadData{kCxlVendorId, 0x0025, 0x1};   // s2m_drs_memdata
constexpr EventCode kWriteData{kCxlVendorId, 0x0021, 0x6};  // m2s_rwd_memwr_all: MemWr + MemWrPtl
constexpr double kLineBytes = 64;

bool plain(const EventSelection& e, const EventCode& code) {
  return e.code == code && e.threshold == 0 && !e.edge && !e.invert && !e.hdm_decoder && !e.channel_rank_bank;
}

std::optional<double> capacity(const SourceIdentity& identity, bool read) {
  std::optional<double> best;
  auto consider = [&](const CdatPerf& perf) {
    const auto& value = read ? perf.read_bandwidth : perf.write_bandwidth;
    if (value) best = std::max(best.value_or(0), static_cast<double>(*value));
  };
  for (const CdatRangePerf& range : identity.cdat_ranges) consider(range.perf);
  for (const CdatPortPerf& pair : identity.cdat_port_pairs) consider(pair.perf);
  return best;
}

struct SeriesPeak {
  double peak_rate = 0;
};

}  // namespace

Result<RecordingReport> report_recording(RecordingReader& reader) {
  RecordingReport report;
  report.header = reader.header();
  std::optional<Snapshot> last;
  std::vector<SeriesPeak> peaks;
  while (true) {
    auto frame = reader.next();
    if (!frame) return frame.error();
    if (!*frame) break;
    ++report.frames;
    Snapshot& snapshot = **frame;
    if (peaks.size() < snapshot.series.size()) peaks.resize(snapshot.series.size());
    for (std::size_t i = 0; i < snapshot.series.size(); ++i) {
      if (const auto& rate = snapshot.series[i].interval.rate) peaks[i].peak_rate = std::max(peaks[i].peak_rate, *rate);
    }
    last = std::move(snapshot);
  }
  if (!last) return Error(Errc::kMalformed, "the recording has no frames (nothing was sampled)");
  report.duration_ns = last->elapsed_ns();
  const double seconds = static_cast<double>(report.duration_ns) / 1e9;

  for (const SourceStatus& source : last->sources) {
    const SourceIdentity& identity = *source.identity;
    ComponentReport component{identity.name.to_string(), identity.kind, identity.memdev, {}, {}, {}};
    const std::size_t index = static_cast<std::size_t>(&source - last->sources.data());
    for (std::size_t i = 0; i < last->series.size(); ++i) {
      const SeriesValue& series = last->series[i];
      if (series.info->source != index) continue;
      const CountValue& count = series.total.count;
      component.events.push_back({series.info->label, count.state, count.raw, count.trusted});
      const bool read = plain(series.info->event, kReadData);
      if (!read && !plain(series.info->event, kWriteData)) continue;
      if (count.state == CountState::kNotSupported) continue;
      TrafficReport traffic;
      traffic.bytes = count.raw * static_cast<std::uint64_t>(kLineBytes);
      traffic.mean_bytes_per_second = seconds > 0 ? static_cast<double>(traffic.bytes) / seconds : 0;
      traffic.peak_bytes_per_second = peaks[i].peak_rate * kLineBytes;
      traffic.capacity_bytes_per_second = capacity(identity, read);
      if (traffic.capacity_bytes_per_second && *traffic.capacity_bytes_per_second > 0) {
        traffic.mean_utilisation = traffic.mean_bytes_per_second / *traffic.capacity_bytes_per_second;
        traffic.peak_utilisation = traffic.peak_bytes_per_second / *traffic.capacity_bytes_per_second;
      }
      (read ? component.read : component.write) = traffic;
    }
    report.components.push_back(std::move(component));
  }
  return report;
}

}  // namespace cpmu
