// `cpmu report`: what a recording (cpmu/recording.hpp) amounts to, per
// component: each event's total, CXL.mem read and write bytes with their mean
// and peak bandwidth, and the share of the component's CDAT bandwidth they
// used. Computed from the frames' totals and interval rates alone, so a
// recording made anywhere reports the same on any machine.
#pragma once

#include "cpmu/export.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/component_kind.hpp"
#include "cpmu/counting.hpp"
#include "cpmu/recording.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

struct EventTotalReport {
  std::string event;  // as recorded
  CountState state = CountState::kNotCounted;
  std::uint64_t total = 0;  // raw, over the whole recording
  bool trusted = true;
};

// One direction of CXL.mem traffic (64 bytes per S2M DRS MemData for reads,
// per M2S RwD MemWr/MemWrPtl for writes).
struct TrafficReport {
  std::uint64_t bytes = 0;
  double mean_bytes_per_second = 0;                          // over the recording
  double peak_bytes_per_second = 0;                          // the highest interval
  std::optional<double> capacity_bytes_per_second;           // CDAT: the best range or port pair
  std::optional<double> mean_utilisation, peak_utilisation;  // of the capacity, 0..1 (more when over it)
};

struct ComponentReport {
  std::string cpmu;  // "0000:0d:00.0/0"
  ComponentKind kind = ComponentKind::kOther;
  std::string memdev;
  std::vector<EventTotalReport> events;
  std::optional<TrafficReport> read, write;  // when the recording counted the event
};

struct RecordingReport {
  RecordingHeader header;
  std::uint64_t frames = 0;
  std::uint64_t duration_ns = 0;  // start of counting to the last frame
  std::vector<ComponentReport> components;
};

// Reads every frame. Fails on a bad recording (the reader's error, naming
// file and line) or one without frames.
CPMU_API Result<RecordingReport> report_recording(RecordingReader& reader);

namespace json {
// One document, type "report".
CPMU_API std::string encode_report(const RecordingReport& report);
}  // namespace json

}  // namespace cpmu
