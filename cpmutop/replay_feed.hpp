// Frames from a recording (--replay FILE [--speed X]), each shown exactly as
// recorded, paced by the recorded intervals divided by the speed.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cpmu/recording.hpp"
#include "feed.hpp"

namespace cpmu::top {

class ReplayFeed final : public Feed {
 public:
  static Result<std::unique_ptr<ReplayFeed>> open(const std::string& path, double speed);
  std::string_view source() const override { return "recording"; }
  Status start() override;
  int wait_ms() const override;
  Result<std::shared_ptr<const Snapshot>> next() override;
  bool ended() const override { return ended_; }
  std::vector<HistoryPoint> history(std::size_t series) const override { return history_.points(series); }
  const RecordingHeader& header() const { return reader_->header(); }

 private:
  using Clock = std::chrono::steady_clock;
  ReplayFeed() = default;
  Status read_ahead();

  std::optional<RecordingReader> reader_;
  double speed_ = 1;
  std::optional<Snapshot> pending_;  // the next frame, read ahead
  Clock::time_point due_;
  bool ended_ = false;
  HistoryRing history_;
};

}  // namespace cpmu::top
