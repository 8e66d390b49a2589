#include "feed.hpp"

namespace cpmu::top {

void HistoryRing::add(const Snapshot& snapshot) {
  // Another feed's series (an exporter restarted with other events): start over.
  if (series_.size() != snapshot.series.size()) {
    series_.assign(snapshot.series.size(), {});
    next_.assign(snapshot.series.size(), 0);
  }
  for (std::size_t i = 0; i < snapshot.series.size(); ++i) {
    const SeriesValue& s = snapshot.series[i];
    const SourceStatus& source = snapshot.sources.at(s.info->source);
    HistoryPoint p;
    p.sequence = snapshot.sequence;
    p.timestamp_ns = source.sample_ns;
    p.total = s.total.count.raw;
    p.delta = s.interval.count.raw;
    p.rate = s.interval.rate;
    p.state = s.total.count.state;
    p.trusted = s.total.count.trusted;
    std::vector<HistoryPoint>& ring = series_[i];
    if (ring.size() < depth_) {
      ring.push_back(p);
    } else {
      ring[next_[i]] = p;
      next_[i] = (next_[i] + 1) % depth_;
    }
  }
}

std::vector<HistoryPoint> HistoryRing::points(std::size_t series) const {
  if (series >= series_.size()) return {};
  const std::vector<HistoryPoint>& ring = series_[series];
  std::vector<HistoryPoint> out;
  out.reserve(ring.size());
  for (std::size_t i = 0; i < ring.size(); ++i) out.push_back(ring[(next_[series] + i) % ring.size()]);
  return out;
}

}  // namespace cpmu::top
