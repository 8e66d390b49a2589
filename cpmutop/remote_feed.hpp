// Frames from a running cpmu-exporter (--connect URL): a GET of URL/json
// every interval, one snapshot document each. The exporter owns the
// hardware, so cpmutop needs no privilege. Basic auth from the URL's
// user:password@, TLS for https:// (as the exporter serves them).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "feed.hpp"

namespace httplib {
class Client;
}

namespace cpmu::top {

class RemoteFeed final : public Feed {
 public:
  // Fails on a URL that is not http:// or https://.
  // `ca_file`: PEM certificates to trust for https, besides the system's.
  static Result<std::unique_ptr<RemoteFeed>> open(const std::string& url, std::chrono::milliseconds interval,
                                                  const std::string& ca_file = {});
  ~RemoteFeed() override;
  std::string_view source() const override { return "remote"; }
  Status start() override { return {}; }
  int wait_ms() const override;
  Result<std::shared_ptr<const Snapshot>> next() override;
  std::vector<HistoryPoint> history(std::size_t series) const override { return history_.points(series); }
  // One GET now: the snapshot, or an error saying what answered (or that
  // nothing did).
  Result<std::shared_ptr<const Snapshot>> fetch();

 private:
  using Clock = std::chrono::steady_clock;
  RemoteFeed() = default;

  std::string url_;
  std::string path_;
  std::unique_ptr<httplib::Client> client_;
  std::chrono::milliseconds interval_{1000};
  Clock::time_point due_{};
  std::uint64_t last_sequence_ = 0;
  HistoryRing history_;
};

}  // namespace cpmu::top
