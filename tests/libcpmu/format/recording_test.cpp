// Recordings (cpmu/recording.hpp) of the simulated machine's monitor: what
// is written reads back frame for frame to the same documents, every source
// names its upstream chain, and every kind of bad recording is an error
// naming the file and line.
#include "cpmu/recording.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "../platform/temp_dir.hpp"
#include "cpmu/json.hpp"
#include "cpmu/session.hpp"
#include "cxlsim/sim_platform.hpp"

namespace cpmu {
namespace {

struct Recorded {
  RecordingHeader header;
  std::vector<std::string> frames;  // encode_snapshot() of each snapshot written
  std::vector<Snapshot> snapshots;
};

// Three snapshots of every CPMU of the default simulated machine counting
// clock ticks, with the machine document in the header.
Recorded record_sim(const std::string& path) {
  Recorded out;
  SessionOptions options;
  options.source.backend = "sim";
  options.source.virtual_time = true;
  auto session = Session::open(options);
  EXPECT_TRUE(session) << session.error().message();
  if (!session) return out;
  auto& machine = dynamic_cast<sim::SimPlatform&>((*session)->platform()).machine();
  auto all = select_cpmus((*session)->machine(), {});
  EXPECT_TRUE(all);
  std::vector<CountTarget> targets;
  for (const CpmuRef& ref : *all) {
    CountRequest request;
    request.label = "clock_ticks";
    request.event.code = EventCode{0x1e98, 0x00, 0x01};
    targets.push_back({ref, {request}, false});
  }
  CountOptions count;
  count.keep_going = true;
  count.monitor.drive = MonitorDrive::kManual;
  count.monitor.now = [&machine] { return machine.now_ns(); };
  auto counting = (*session)->count(std::move(targets), count);
  EXPECT_TRUE(counting) << counting.error().message();
  if (!counting) return out;
  json::MachineDocument document{&(*session)->machine(), &(*session)->topology(), {}, {}, nullptr};
  out.header = {"recording_test", 1'796'000'000'000'000'000ull, 1'000'000'000, "simulated",
                json::encode_machine(document)};
  auto writer = RecordingWriter::create(path, out.header);
  EXPECT_TRUE(writer) << writer.error().message();
  if (!writer) return out;
  EXPECT_TRUE(counting->monitor->start());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(machine.advance(1'000'000));
    auto snapshot = counting->monitor->sample_now();
    EXPECT_TRUE(writer->write(*snapshot));
    out.frames.push_back(json::encode_snapshot(*snapshot));
    out.snapshots.push_back(*snapshot);
  }
  EXPECT_EQ(writer->frames(), 3u);
  counting->monitor->stop();
  return out;
}

TEST(Recording, ReadsBackEveryFrameExactly) {
  testing::TempDir dir;
  const Recorded recorded = record_sim((dir / "run.jsonl").string());
  ASSERT_EQ(recorded.frames.size(), 3u);
  auto reader = RecordingReader::open((dir / "run.jsonl").string());
  ASSERT_TRUE(reader) << reader.error().message();
  EXPECT_EQ(reader->header().tool, "recording_test");
  EXPECT_EQ(reader->header().interval_ns, 1'000'000'000u);
  EXPECT_EQ(reader->header().source, "simulated");
  EXPECT_EQ(nlohmann::json::parse(reader->header().machine), nlohmann::json::parse(recorded.header.machine));
  for (const std::string& expected : recorded.frames) {
    auto frame = reader->next();
    ASSERT_TRUE(frame) << frame.error().message();
    ASSERT_TRUE(frame->has_value());
    EXPECT_EQ(json::encode_snapshot(**frame), expected);
  }
  auto end = reader->next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(end->has_value());
  EXPECT_EQ(reader->line(), 4u);
}

TEST(Recording, EverySourceNamesItsUpstreamChainAndLink) {
  testing::TempDir dir;
  const Recorded recorded = record_sim((dir / "run.jsonl").string());
  ASSERT_FALSE(recorded.snapshots.empty());
  bool saw_endpoint_behind_switch = false;
  for (const SourceStatus& source : recorded.snapshots[0].sources) {
    const SourceIdentity& id = *source.identity;
    SCOPED_TRACE(id.name.to_string());
    ASSERT_FALSE(id.upstream.empty());
    EXPECT_EQ(id.upstream[0], "pci0000:0c");
    if (id.kind == ComponentKind::kRootPort) {
      EXPECT_EQ(id.upstream.size(), 1u);
    }
    // The default machine: 0c:00.0 root port -> 0d:00.0 USP -> 0e:0N.0 DSP -> endpoint.
    if (id.kind == ComponentKind::kEndpoint && id.upstream.size() == 4) {
      saw_endpoint_behind_switch = true;
      EXPECT_EQ(id.upstream[1], "0000:0c:00.0");
      EXPECT_EQ(id.upstream[2], "0000:0d:00.0");
    }
    EXPECT_TRUE(id.link_gt_s.has_value());
    EXPECT_TRUE(id.link_width.has_value());
  }
  EXPECT_TRUE(saw_endpoint_behind_switch);
}

// A recording of the default machine as text, for spoiling.
std::vector<std::string> recording_lines(const testing::TempDir& dir) {
  record_sim((dir / "good.jsonl").string());
  std::vector<std::string> lines;
  std::string text = testing::read_text(dir / "good.jsonl");
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

std::string joined(const std::vector<std::string>& lines, bool final_newline = true) {
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) text += lines[i] + (i + 1 < lines.size() || final_newline ? "\n" : "");
  return text;
}

// The first error reading all of `text` as "name" gives, or "" when none.
Error first_error(std::string text) {
  auto reader = RecordingReader::from_text(std::move(text), "bad.jsonl");
  if (!reader) return reader.error();
  for (;;) {
    auto frame = reader->next();
    if (!frame) {
      auto again = reader->next();  // sticky
      EXPECT_FALSE(again);
      return frame.error();
    }
    if (!frame->has_value()) return Error(Errc::kIo, "");
  }
}

TEST(Recording, EveryKindOfBadRecordingNamesFileAndLine) {
  testing::TempDir dir;
  const std::vector<std::string> good = recording_lines(dir);
  ASSERT_EQ(good.size(), 4u);
  const auto expect = [](const Error& e, Errc code, const std::string& starts, const std::string& contains) {
    EXPECT_EQ(e.code(), code) << e.message();
    EXPECT_EQ(e.message().rfind(starts, 0), 0u) << e.message();
    EXPECT_NE(e.message().find(contains), std::string::npos) << e.message();
  };
  expect(first_error(""), Errc::kMalformed, "bad.jsonl: not a cpmu recording", "empty");
  expect(first_error("hello world\n"), Errc::kMalformed, "bad.jsonl:1: not a cpmu recording", "not JSON");
  expect(first_error("\x7f"
                     "ELF\x02\x01\n"),
         Errc::kMalformed, "bad.jsonl:1:", "not JSON");
  expect(first_error(joined({good[1], good[2]})), Errc::kMalformed, "bad.jsonl:1: not a cpmu recording",
         "'snapshot' document");
  auto newer = nlohmann::ordered_json::parse(good[0]);
  newer["schema_version"] = json::kSchemaVersion + 1;
  expect(first_error(joined({newer.dump(), good[1]})), Errc::kUnsupported,
         "bad.jsonl:1:", "newer than this cpmu reads");
  auto no_interval = nlohmann::ordered_json::parse(good[0]);
  no_interval.erase("interval_ns");
  expect(first_error(joined({no_interval.dump()})), Errc::kMalformed, "bad.jsonl:1:", "/interval_ns: missing");
  // Truncated: the last frame cut mid-line.
  std::vector<std::string> cut = good;
  cut[3] = cut[3].substr(0, cut[3].size() / 2);
  expect(first_error(joined(cut, false)), Errc::kMalformed, "bad.jsonl:4: truncated frame", "ends mid-line");
  // Garbled: a frame in the middle spoiled, or a line of noise.
  std::vector<std::string> garbled = good;
  garbled[2].replace(garbled[2].size() / 2, 8, "\x01\x02garble");
  expect(first_error(joined(garbled)), Errc::kMalformed, "bad.jsonl:3: garbled frame", "snapshot JSON");
  expect(first_error(joined({good[0], good[1], ""})), Errc::kMalformed, "bad.jsonl:3: garbled frame", "empty line");
  auto wrong_type = nlohmann::ordered_json::parse(good[1]);
  wrong_type["series"] = "none";
  expect(first_error(joined({good[0], wrong_type.dump()})), Errc::kMalformed, "bad.jsonl:2: garbled frame", "/series");
  // Frames out of order (two recordings concatenated).
  expect(first_error(joined({good[0], good[2], good[1]})), Errc::kMalformed, "bad.jsonl:3: garbled frame",
         "does not follow");
  // And the file itself.
  auto missing = RecordingReader::open((dir / "nothing.jsonl").string());
  ASSERT_FALSE(missing);
  expect(missing.error(), Errc::kNotFound, (dir / "nothing.jsonl").string() + ": cannot open", "No such file");
}

TEST(Recording, AGoodRecordingWithoutTheLastNewlineStillReads) {
  testing::TempDir dir;
  const std::vector<std::string> good = recording_lines(dir);
  auto reader = RecordingReader::from_text(joined(good, false), "ok.jsonl");
  ASSERT_TRUE(reader) << reader.error().message();
  int frames = 0;
  for (auto frame = reader->next(); frame && frame->has_value(); frame = reader->next()) ++frames;
  EXPECT_EQ(frames, 3);
}

TEST(Recording, TheHeaderRejectsWhatIsNotAMachineDocument) {
  RecordingHeader header{"t", 1, 1, "simulated", "{\"type\": \"events\"}"};
  auto encoded = json::encode_recording_header(header);
  ASSERT_FALSE(encoded);
  EXPECT_EQ(encoded.error().code(), Errc::kInvalidArgument);
  header.machine.clear();
  encoded = json::encode_recording_header(header);
  ASSERT_TRUE(encoded);
  auto decoded = json::decode_recording_header(*encoded);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, header);
  header.interval_ns = 0;
  EXPECT_FALSE(json::decode_recording_header(*json::encode_recording_header(header)));
}

}  // namespace
}  // namespace cpmu
