// Where a command's output goes, with every write, the final flush and the
// close checked: a full disk or a closed pipe is an error naming the output
// and the reason, never a silent success. A file output is written under a
// temporary name beside the file and renamed into place only once complete,
// so a failed run never leaves a truncated file that looks complete.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "cpmu/result.hpp"

namespace cpmu::cli {

class Output {
 public:
  // A standard stream; `name` is how messages call it ("standard output").
  Output(std::FILE* stream, std::string name) : stream_(stream), name_(std::move(name)) {}
  // FILE itself is only replaced by finish(); until then the output goes to
  // FILE.XXXXXX in the same directory, opened close-on-exec.
  static Result<Output> create_file(const std::string& path);
  // --append: FILE is added to in place (what was there stays; a failed run
  // leaves what it wrote so far after it), created if missing.
  static Result<Output> append_file(const std::string& path);

  Output(Output&& other) noexcept;
  Output& operator=(Output&&) = delete;
  Output(const Output&) = delete;
  ~Output();  // an unfinished file output: its temporary file is removed

  std::FILE* stream() const { return stream_; }
  const std::string& name() const { return name_; }

  // Runs `writer` (which prints to stream(); fmt::print throws
  // std::system_error when a write fails) and flushes. After a failure every
  // further write fails with the first error.
  template <typename Writer>
  Status write(Writer&& writer) {
    if (failed_) return *failed_;
    try {
      std::forward<Writer>(writer)(stream_);
    } catch (const std::system_error& e) {
      return fail(e.code().value());
    }
    return flush();
  }

  // The final flush; for a file also fsync, close and the rename into place.
  Status finish();

  // The error of a failed write or finish, if any.
  const std::optional<Error>& failure() const { return failed_; }
  // The errno of that failure (0 without one): EPIPE means the reader left.
  int failure_errno() const { return failed_errno_; }

 private:
  Output(std::FILE* stream, std::string name, std::string path, std::string temporary)
      : stream_(stream),
        name_(std::move(name)),
        path_(std::move(path)),
        temporary_(std::move(temporary)),
        owned_(true) {}
  Status flush();
  Status fail(int err);

  std::FILE* stream_;
  std::string name_;
  std::string path_;       // a file output: where it goes in the end
  std::string temporary_;  // and where it is written until then (empty: written in place)
  bool owned_ = false;     // opened here: closed by finish() or the destructor
  std::optional<Error> failed_;
  int failed_errno_ = 0;
};

}  // namespace cpmu::cli
