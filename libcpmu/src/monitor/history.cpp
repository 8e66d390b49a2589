#include "monitor/history.hpp"

#include <utility>

namespace cpmu::detail {

void SeriesHistory::push(HistoryPoint point) {
  if (points_.size() < depth_) {
    points_.push_back(std::move(point));
    return;
  }
  points_[oldest_] = std::move(point);
  oldest_ = (oldest_ + 1) % depth_;
}

std::vector<HistoryPoint> SeriesHistory::points() const {
  std::vector<HistoryPoint> ordered;
  ordered.reserve(points_.size());
  for (std::size_t i = 0; i < points_.size(); ++i) ordered.push_back(points_[(oldest_ + i) % points_.size()]);
  return ordered;
}

}  // namespace cpmu::detail
