#include "replay_feed.hpp"

#include <algorithm>

namespace cpmu::top {

Result<std::unique_ptr<ReplayFeed>> ReplayFeed::open(const std::string& path, double speed) {
  auto reader = RecordingReader::open(path);
  if (!reader) return reader.error();
  std::unique_ptr<ReplayFeed> feed(new ReplayFeed());
  feed->reader_.emplace(std::move(*reader));
  feed->speed_ = speed;
  if (auto first = feed->read_ahead(); !first) return first.error();
  if (!feed->pending_) return Error(Errc::kMalformed, path + ": the recording has no frames");
  return feed;
}

Status ReplayFeed::read_ahead() {
  auto frame = reader_->next();
  if (!frame) return frame.error();
  pending_ = std::move(*frame);
  return {};
}

Status ReplayFeed::start() {
  due_ = Clock::now();
  return {};
}

int ReplayFeed::wait_ms() const {
  if (!pending_) return 1000;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due_ - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1000));
}

Result<std::shared_ptr<const Snapshot>> ReplayFeed::next() {
  if (!pending_ || Clock::now() < due_) {
    if (!pending_) ended_ = true;
    return std::shared_ptr<const Snapshot>();
  }
  auto frame = std::make_shared<const Snapshot>(std::move(*pending_));
  pending_.reset();
  history_.add(*frame);
  if (auto ahead = read_ahead(); !ahead) return ahead.error();
  if (pending_) {
    // Paced by the recorded interval between the two frames.
    const std::uint64_t gap = pending_->timestamp_ns > frame->timestamp_ns
                                  ? pending_->timestamp_ns - frame->timestamp_ns
                                  : pending_->interval_ns;
    due_ += std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(gap) / speed_));
  }
  return std::shared_ptr<const Snapshot>(frame);
}

}  // namespace cpmu::top
