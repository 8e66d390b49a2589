// Recording files (cpmu/recording.hpp): the writer, and the reader that
// turns each line back into a Snapshot, naming file and line for every
// problem.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cpmu/json.hpp"
#include "cpmu/recording.hpp"

namespace cpmu {

// ---- writer ----

struct RecordingWriter::File {
  std::string path;
  std::FILE* stream = nullptr;
  bool owned = false;
  std::uint64_t frames = 0;

  ~File() {
    if (owned && stream) std::fclose(stream);
  }

  Status put(const std::string& line) {
    if (std::fputs(line.c_str(), stream) < 0 || std::fputc('\n', stream) == EOF || std::fflush(stream) != 0) {
      return Error(Errc::kIo, fmt::format("{}: cannot write the recording: {}", path, std::strerror(errno)));
    }
    return {};
  }
};

RecordingWriter::RecordingWriter(std::unique_ptr<File> file) : file_(std::move(file)) {}
RecordingWriter::RecordingWriter(RecordingWriter&&) noexcept = default;
RecordingWriter& RecordingWriter::operator=(RecordingWriter&&) noexcept = default;
RecordingWriter::~RecordingWriter() = default;

Result<RecordingWriter> RecordingWriter::create(const std::string& path, const RecordingHeader& header) {
  auto line = json::encode_recording_header(header);
  if (!line) return line.error();
  auto file = std::make_unique<File>();
  file->path = path == "-" ? "standard output" : path;
  if (path == "-") {
    file->stream = stdout;
  } else {
    file->stream = std::fopen(path.c_str(), "w");
    if (!file->stream) {
      return Error(errno == EACCES ? Errc::kPermissionDenied : Errc::kIo,
                   fmt::format("{}: cannot create the recording: {}", path, std::strerror(errno)));
    }
    file->owned = true;
  }
  if (auto put = file->put(*line); !put) return put.error();
  return RecordingWriter(std::move(file));
}

Status RecordingWriter::write(const Snapshot& snapshot) {
  if (auto put = file_->put(json::encode_snapshot(snapshot)); !put) return put;
  ++file_->frames;
  return {};
}

std::uint64_t RecordingWriter::frames() const { return file_->frames; }

// ---- reader ----

struct RecordingReader::Input {
  std::string name;
  std::unique_ptr<std::istream> stream;
  RecordingHeader header;
  std::uint64_t line = 0;
  std::optional<std::uint64_t> last_sequence;
  std::optional<Error> failed;  // sticky: a reader past a bad line stays failed

  enum class Line { kComplete, kUnterminated, kEnd, kTooLong };

  // One line without its newline (or "\r\n"), never more than kMaxLine bytes.
  Line read(std::string& out) {
    out.clear();
    std::streambuf* buffer = stream->rdbuf();
    for (;;) {
      const int c = buffer->sbumpc();
      if (c == std::char_traits<char>::eof()) return out.empty() ? Line::kEnd : Line::kUnterminated;
      if (c == '\n') {
        if (!out.empty() && out.back() == '\r') out.pop_back();
        return Line::kComplete;
      }
      if (out.size() >= kMaxLine) return Line::kTooLong;
      out.push_back(static_cast<char>(c));
    }
  }

  // Line 1: the header.
  Status read_header() {
    std::string text;
    switch (read(text)) {
      case Line::kEnd: return Error(Errc::kMalformed, fmt::format("{}: not a cpmu recording: the file is empty", name));
      case Line::kTooLong:
        return Error(Errc::kMalformed,
                     fmt::format("{}:1: not a cpmu recording: the first line is over {} bytes", name, kMaxLine));
      case Line::kComplete:
      case Line::kUnterminated: break;
    }
    line = 1;
    auto decoded = json::decode_recording_header(text);
    if (!decoded) return at_line(decoded.error());
    header = std::move(*decoded);
    return {};
  }

  Error at_line(const Error& error) const {
    return Error(error.code(), fmt::format("{}:{}: {}", name, line, error.message()));
  }
};

RecordingReader::RecordingReader(std::unique_ptr<Input> input) : input_(std::move(input)) {}
RecordingReader::RecordingReader(RecordingReader&&) noexcept = default;
RecordingReader& RecordingReader::operator=(RecordingReader&&) noexcept = default;
RecordingReader::~RecordingReader() = default;

Result<RecordingReader> RecordingReader::open(const std::string& path) {
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file) {
    return Error(errno == EACCES ? Errc::kPermissionDenied : Errc::kNotFound,
                 fmt::format("{}: cannot open the recording: {}", path, std::strerror(errno)));
  }
  auto input = std::make_unique<Input>();
  input->name = path;
  input->stream = std::move(file);
  if (auto header = input->read_header(); !header) return header.error();
  return RecordingReader(std::move(input));
}

Result<RecordingReader> RecordingReader::from_text(std::string text, std::string name) {
  auto input = std::make_unique<Input>();
  input->name = std::move(name);
  input->stream = std::make_unique<std::istringstream>(std::move(text));
  if (auto header = input->read_header(); !header) return header.error();
  return RecordingReader(std::move(input));
}

const RecordingHeader& RecordingReader::header() const { return input_->header; }

std::uint64_t RecordingReader::line() const { return input_->line; }

Result<std::optional<Snapshot>> RecordingReader::next() {
  Input& in = *input_;
  if (in.failed) return *in.failed;
  auto fail = [&in](Errc code, std::string message) {
    in.failed = Error(code, fmt::format("{}:{}: {}", in.name, in.line, message));
    return *in.failed;
  };
  std::string text;
  const Input::Line kind = in.read(text);
  if (kind == Input::Line::kEnd) return std::optional<Snapshot>{};
  ++in.line;
  if (kind == Input::Line::kTooLong)
    return fail(Errc::kMalformed, fmt::format("garbled frame: the line is over {} bytes", kMaxLine));
  if (text.empty()) return fail(Errc::kMalformed, "garbled frame: an empty line");
  auto frame = json::decode_snapshot(text);
  if (!frame) {
    // The writer ends every frame with a newline: a bad last line without
    // one is where the recording stopped.
    return fail(Errc::kMalformed,
                kind == Input::Line::kUnterminated
                    ? fmt::format("truncated frame (the recording ends mid-line): {}", frame.error().message())
                    : fmt::format("garbled frame: {}", frame.error().message()));
  }
  if (in.last_sequence && frame->sequence <= *in.last_sequence) {
    return fail(Errc::kMalformed,
                fmt::format("garbled frame: sequence {} does not follow frame {}", frame->sequence, *in.last_sequence));
  }
  in.last_sequence = frame->sequence;
  return std::optional<Snapshot>(std::move(*frame));
}

}  // namespace cpmu
