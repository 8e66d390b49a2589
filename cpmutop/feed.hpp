// Where cpmutop's frames come from: the counting monitor of a machine (live:
// hardware, the simulated machine, a dump), a recording replayed, or a
// running cpmu-exporter's /json. The screen and batch output see only this.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/result.hpp"
#include "cpmu/snapshot.hpp"

namespace cpmu::top {

class LiveFeed;

class Feed {
 public:
  virtual ~Feed() = default;
  // "hardware", "simulated", "dump", "recording", "remote"
  virtual std::string_view source() const = 0;
  virtual Status start() = 0;
  // A descriptor that becomes readable when next() may have news, or -1.
  virtual int wait_fd() const { return -1; }
  // At most this long until next() may have news (a poll timeout), ms.
  virtual int wait_ms() const = 0;
  // A new frame, or null when there is none yet. An error ends the feed.
  virtual Result<std::shared_ptr<const Snapshot>> next() = 0;
  // No frame will come any more (a replay at its end).
  virtual bool ended() const { return false; }
  // A series' recent points, oldest first.
  virtual std::vector<HistoryPoint> history(std::size_t series) const = 0;
  // What happened since the last call, for the status line: a device
  // removed, a count no longer trusted.
  virtual std::vector<std::string> take_messages() { return {}; }
  virtual LiveFeed* live() { return nullptr; }
};

// The points of every series, kept from the frames themselves, for feeds
// without a monitor (a replay, a remote exporter): as deep as a monitor's.
class HistoryRing {
 public:
  explicit HistoryRing(std::size_t depth = 600) : depth_(depth) {}
  void add(const Snapshot& snapshot);
  std::vector<HistoryPoint> points(std::size_t series) const;

 private:
  std::size_t depth_;
  std::vector<std::vector<HistoryPoint>> series_;  // each a ring of depth_ points
  std::vector<std::size_t> next_;                  // per series: where the next point goes
};

}  // namespace cpmu::top
