// Recordings: a monitor's snapshots saved as JSON lines, for cpmutop's
// --record/--replay and `cpmu record`/`cpmu report`. Line 1 is a header
// document (type "recording": the tool, when and how often it sampled, the
// kind of machine and, where known, the machine document of `cpmu list
// --json`); every further line is one encode_snapshot() document, a frame.
// All lines carry json::kSchemaVersion and are described by the shipped JSON
// Schema. Each snapshot's sources name their upstream chain, so a replay can
// draw the topology tree without the machine.
#pragma once

#include "cpmu/export.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cpmu/result.hpp"
#include "cpmu/snapshot.hpp"

namespace cpmu {

struct RecordingHeader {
  std::string tool;                      // who wrote it: "cpmutop 0.1.0"
  std::uint64_t start_wall_time_ns = 0;  // ns since the Unix epoch
  std::uint64_t interval_ns = 0;         // the sampling interval asked for; > 0
  std::string source;                    // what was recorded: "hardware", "simulated", "dump", "remote"
  // The machine document (json::encode_machine()) as JSON text; empty when
  // the recorder had no machine (a remote feed).
  std::string machine;
  bool operator==(const RecordingHeader&) const = default;
};

namespace json {
// The header line (no newline). Fails (kInvalidArgument) when `machine` is
// not a machine document.
CPMU_API Result<std::string> encode_recording_header(const RecordingHeader& header);
// A header line. A newer schema_version is kUnsupported, anything else wrong
// kMalformed; the message names the first problem (not the file or line).
CPMU_API Result<RecordingHeader> decode_recording_header(std::string_view text);
}  // namespace json

// Writes a recording: the header at creation, then one line per frame, each
// flushed so that a reader (or a crash) sees whole frames.
class CPMU_API RecordingWriter {
 public:
  // "-" writes to standard output. Fails naming the file when it cannot be
  // created.
  static Result<RecordingWriter> create(const std::string& path, const RecordingHeader& header);
  RecordingWriter(RecordingWriter&&) noexcept;
  RecordingWriter& operator=(RecordingWriter&&) noexcept;
  ~RecordingWriter();

  Status write(const Snapshot& snapshot);  // names the file on a write error
  std::uint64_t frames() const;

 private:
  struct File;
  explicit RecordingWriter(std::unique_ptr<File> file);
  std::unique_ptr<File> file_;
};

// Reads a recording frame by frame, in bounded memory (one line at a time, a
// line at most kMaxLine bytes). Every error names the file and line:
// "run.jsonl:7: truncated frame (the recording ends mid-line)".
class CPMU_API RecordingReader {
 public:
  static constexpr std::size_t kMaxLine = 64u << 20;

  // Opens and reads the header. Not JSON at all, a missing or wrong header, a
  // newer schema_version (kUnsupported): an error.
  static Result<RecordingReader> open(const std::string& path);
  // The same over text in memory; `name` stands for the file in messages.
  static Result<RecordingReader> from_text(std::string text, std::string name);
  RecordingReader(RecordingReader&&) noexcept;
  RecordingReader& operator=(RecordingReader&&) noexcept;
  ~RecordingReader();

  const RecordingHeader& header() const;
  // The next frame; nullopt at the end. A truncated, garbled or out-of-order
  // frame is an error, and so is every call after one.
  Result<std::optional<Snapshot>> next();
  std::uint64_t line() const;  // the line last read (1 = the header)

 private:
  struct Input;
  explicit RecordingReader(std::unique_ptr<Input> input);
  std::unique_ptr<Input> input_;
};

}  // namespace cpmu
