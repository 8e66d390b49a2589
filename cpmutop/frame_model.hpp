// The frame model (collect, as btop splits it from draw): from one snapshot
// and the setup, every row cpmutop shows - the topology tree host bridge ->
// root port -> switch upstream port -> downstream port -> endpoint -> CPMU,
// built from the sources' upstream chains alone, so a replay or a remote
// feed draws it without the machine - with rates, utilisation against
// capacity, flags, the conservation check per switch and alerts. No
// ncurses here: the batch output and the screen both draw a Frame.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alert.hpp"
#include "cpmu/snapshot.hpp"
#include "live_feed.hpp"
#include "settings.hpp"

namespace cpmu::top {

// A switch whose downstream ports' sum differs from its upstream port by
// more than this share of the larger (and by more than kConservationFloor
// bytes/s) is marked: the ports are sampled at slightly different moments,
// so their intervals differ by a few per cent at most.
inline constexpr double kConservationTolerance = 0.10;
inline constexpr double kConservationFloor = 1e6;
// A link or device at or above this share of its capacity is saturated.
inline constexpr double kSaturated = 0.90;

enum class RowType { kHostBridge, kComponent, kCpmu };

struct Row {
  RowType type = RowType::kComponent;
  std::string id;      // "pci0000:0c", "0000:0d:00.0", "0000:0d:00.0/0"
  std::string label;   // what the name column shows after the tree lines
  std::string prefix;  // tree lines ("├─ ", "│  ") in tree mode
  std::string kind;    // "root-port", ... "cpmu", "host-bridge"
  std::string memdev;
  int depth = 0;
  bool has_children = false;
  bool collapsed = false;
  std::optional<std::size_t> source;  // kCpmu and a component with a CPMU: Snapshot::sources index
  std::optional<double> read;         // bytes/s
  std::optional<double> write;        // bytes/s
  std::optional<double> requests;     // per second
  std::optional<double> util;         // 0..1 of capacity
  std::string capacity_from;          // "cdat", "link"
  std::string events;                 // the other counted events' rates, short
  // ? not exact, M multiplexed, K owned by the kernel driver, ! error or
  // removed, S saturated, C conservation check failed (switch).
  std::string flags;
  std::string note;  // why: idle reason, error, conservation figures
  bool alert = false;
};

struct Meter {
  std::string label;
  double util = 0;
};

struct Frame {
  std::string source;  // "simulated", "hardware", "dump", "recording", "remote"
  std::uint64_t sequence = 0;
  std::uint64_t elapsed_ns = 0;
  std::uint64_t interval_ns = 0;
  std::uint64_t wall_time_ns = 0;
  std::optional<double> read, write, requests;  // machine totals (the topmost counting components)
  std::size_t components = 0;
  std::size_t cpmus = 0;
  std::size_t counting = 0;
  std::vector<Meter> meters;              // the busiest links, busiest first
  std::vector<Row> rows;                  // in display order: collapsed and filtered rows left out
  std::vector<std::string> alerts;        // "0000:0f:00.0: util>80 (97.1%)"
  std::vector<std::string> conservation;  // one line per failing switch
};

struct FrameInput {
  const Snapshot* snapshot = nullptr;
  std::string source;
  const std::vector<IdleCpmu>* idle = nullptr;  // live feeds: the CPMUs not counted
  const Settings* settings = nullptr;
  const std::vector<Alert>* alerts = nullptr;
  const std::set<std::string>* collapsed = nullptr;
  std::string filter;  // rows whose id, memdev or kind contain it (and their ancestors)
  bool ascii = false;  // tree lines in ASCII (--ascii, or a locale without UTF-8)
};

Frame build_frame(const FrameInput& input);

// The value `column` sorts and alerts by; none where the row has none.
std::optional<double> column_value(const Row& row, Column column);

// Link capacity per direction in bytes/s: GT/s x lanes / 8, less the
// encoding (8b/10b to 5 GT/s, 128b/130b to 32 GT/s, 242/256 flits at 64 GT/s).
double link_bytes_per_second(double gt_s, unsigned width);

}  // namespace cpmu::top
