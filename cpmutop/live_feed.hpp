// Frames from a machine: a session's monitor over every CPMU, counting the
// events set up per kind or per CPMU (those its capabilities allow), with
// the read and write bandwidth metrics. Choosing other events re-plans live:
// the monitor is made again over the new requests.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpmu/counting.hpp"
#include "cpmu/session.hpp"
#include "feed.hpp"
#include "settings.hpp"

namespace cpmu::top {

// A CPMU that is not counted, and why: the kernel's driver owns it, another
// cpmu holds it, or it can count none of the events asked for.
struct IdleCpmu {
  SourceIdentity identity;
  bool kernel_owned = false;
  std::string reason;
};

// One event a CPMU could be asked to count, and how the plan would place it.
struct EventChoice {
  std::string name;
  bool chosen = false;
  PlannedCount planned;  // with every chosen event and this one
};

// What cpmutop counts on `session`'s machine with `settings`: a target per
// CPMU that can count some of the events set up for it, every other CPMU
// idle with the reason, and the count options (interval, the bandwidth
// metrics; the caller may change the drive and clock, as tests do).
struct CountingPlan {
  std::vector<CountTarget> targets;
  std::vector<IdleCpmu> idle;
  CountOptions options;
};
Result<CountingPlan> plan_counting(Session& session, const Settings& settings);

class LiveFeed final : public Feed {
 public:
  // `source`: "hardware", "simulated" or "dump".
  static Result<std::unique_ptr<LiveFeed>> open(std::unique_ptr<Session> session, std::string source,
                                                const Settings& settings);
  ~LiveFeed() override;

  std::string_view source() const override { return source_; }
  Status start() override;
  int wait_fd() const override;
  int wait_ms() const override;
  Result<std::shared_ptr<const Snapshot>> next() override;
  std::vector<HistoryPoint> history(std::size_t series) const override;
  std::vector<std::string> take_messages() override;
  LiveFeed* live() override { return this; }

  Session& session() { return *session_; }
  const std::vector<IdleCpmu>& idle() const { return idle_; }
  std::size_t monitored() const { return monitored_.size(); }
  // The monitored CPMU named so (CpmuName text): its capabilities, and what
  // it could count with `chosen` asked of it, planned as the scheduler would.
  const CpmuCapabilities* capabilities(const std::string& cpmu) const;
  std::vector<EventChoice> choices(const std::string& cpmu, const std::vector<std::string>& chosen);
  // The events this CPMU counts now (its labels, in request order).
  std::vector<std::string> counting(const std::string& cpmu) const;
  // Counts again with the settings' events; history starts over.
  Status replan(const Settings& settings);

 private:
  LiveFeed() = default;
  Status build(const Settings& settings);

  std::unique_ptr<Session> session_;
  std::string source_;
  std::chrono::nanoseconds interval_{};
  std::unique_ptr<Monitor> monitor_;
  std::vector<CpmuRef> monitored_;
  std::vector<IdleCpmu> idle_;
  std::vector<std::vector<std::string>> labels_;  // per monitored CPMU
  std::vector<std::string> messages_;
  std::uint64_t shown_ = 0;  // the sequence last returned
  bool started_ = false;
};

// The events of `settings` for a CPMU: its own choice, else its kind's,
// else the defaults.
const std::vector<std::string>& events_for(const Settings& settings, const std::string& cpmu, ComponentKind kind);

}  // namespace cpmu::top
