// A bounded history of one series: a ring of the last `depth` points, so a
// long-running monitor uses the same memory after a minute as after a month.
#pragma once

#include <cstddef>
#include <vector>

#include "cpmu/snapshot.hpp"

namespace cpmu::detail {

class SeriesHistory {
 public:
  explicit SeriesHistory(std::size_t depth) : depth_(depth) { points_.reserve(depth); }

  void push(HistoryPoint point);
  std::vector<HistoryPoint> points() const;   // oldest first
  std::size_t size() const { return points_.size(); }

 private:
  std::size_t depth_;
  std::vector<HistoryPoint> points_;
  std::size_t oldest_ = 0;   // once full: where the oldest point is (and the next one goes)
};

}  // namespace cpmu::detail
