// The exporter's collection: the session it opened once (the hardware, before
// any privilege drop) and the monitor that counts what the collection file
// asks for. The monitor's own thread is the background poller, so totals stay
// exact between scrapes however rarely Prometheus comes.
//
// Scrapes read a CollectionView: everything a collector needs, fixed when the
// monitor was made, so HTTP threads never touch the session. A reload
// (SIGHUP) stops the monitor, takes its final totals, counts with the new
// file and carries the totals of every (CPMU, event) that is still counted
// into the new view, so counters never go backwards. The events are not
// counted for the moment between the two monitors.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collection_config.hpp"
#include "cpmu/session.hpp"

namespace cpmu::exporter {

using Labels = std::vector<std::pair<std::string, std::string>>;

// node_exporter's pcidevice labels for a function: segment "0000", bus "0d",
// device "00", function "0" (hex, as in the BDF).
Labels pci_labels(const PciAddress& address);

struct PortPairExport {
  std::string port_x, port_y;  // "0100" style, as the CDAT numbers them
  CdatPerf perf;
};

// One monitored CPMU as the collectors label it.
struct SourceExport {
  Labels labels;                 // pci_labels() + cpmu (the instance)
  std::string function_address;  // "0000:0d:00.0": one function's gauges once, however many CPMUs it has
  Labels function_labels;        // pci_labels() alone
  std::string name;              // "0000:0d:00.0/0"
  std::string serial;            // "0x0000000000001001", or empty
  std::string component;         // "endpoint", "switch_upstream_port", ...
  std::string memdev, perf_pmu;
  std::optional<LinkInfo> link;
  std::vector<PortPairExport> port_pairs;
};

enum class ByteDirection { kNone, kRead, kWrite };

// One monitored series.
struct SeriesExport {
  std::string metric;  // the counter family: "cxl_cpmu_m2s_req_memrd" (samples end in _total)
  std::string event;   // the catalogue's name, or vid=..,gid=..,mask=..
  std::string help;    // with vid/gid/mask
  ByteDirection bytes = ByteDirection::kNone;
  std::uint64_t carried = 0;  // raw total of earlier monitors (reloads)
  bool carried_untrusted = false;
  std::uint64_t created_wall_ns = 0;  // when this (CPMU, event) was first counted
};

struct CollectionView {
  std::shared_ptr<Monitor> monitor;  // null when nothing could be counted, and during a reload
  // During a reload: the old monitor's final snapshot, shown until the new
  // monitor counts (the old one must be gone first: it holds the CPMU locks).
  std::shared_ptr<const Snapshot> frozen;
  std::vector<SourceExport> sources;  // Snapshot::sources order
  std::vector<SeriesExport> series;   // Snapshot::series order
  std::vector<SkippedCpmu> skipped;
  std::chrono::nanoseconds interval{};
  std::string config_error;  // why the last reload failed (the previous view kept counting)
};

// The monitor's latest snapshot, or the frozen one during a reload; null
// before the first snapshot.
std::shared_ptr<const Snapshot> latest_snapshot(const CollectionView& view);

// A line of 64 bytes per data message (events/cxl/metrics.json's bandwidth metrics).
inline constexpr std::uint64_t kCxlLineBytes = 64;

class Collection {
 public:
  static Result<std::unique_ptr<Collection>> open(std::unique_ptr<Session> session, CollectionConfig config);
  ~Collection();

  // Counts with `config`; on failure the previous configuration counts again
  // and the error is returned (and shown in the view).
  Status reload(CollectionConfig config);
  // Stops counting for good (the view keeps its last snapshot).
  void stop();
  bool stopped() const;

  // The running machine (not a dump or the simulator): reopening its CPMUs
  // needs the privileges the exporter started with.
  bool live_machine() const;

  // Safe from any thread.
  std::shared_ptr<const CollectionView> view() const;

 private:
  struct Key {
    std::string cpmu;
    EventSelection event;
    bool operator<(const Key& other) const;
  };
  struct Carry {
    std::uint64_t total = 0;
    bool untrusted = false;
    std::uint64_t created_wall_ns = 0;
  };

  Collection(std::unique_ptr<Session> session, CollectionConfig config);
  Result<std::shared_ptr<CollectionView>> count(const CollectionConfig& config);
  void retire_current();
  // Installs `view`; returns once no scrape holds the previous one any more.
  void publish(std::shared_ptr<CollectionView> view);

  std::unique_ptr<Session> session_;
  CollectionConfig config_;
  std::map<Key, Carry> carry_;
  mutable std::mutex mutex_;
  std::shared_ptr<CollectionView> view_;
  bool stopped_ = false;
};

}  // namespace cpmu::exporter
