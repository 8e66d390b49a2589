// The DOE (Data Object Exchange) mailbox of a simulated PCIe function,
// answering DOE discovery and CXL table access (CDAT).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "cxlsim/cdat_builder.hpp"

namespace cpmu::sim {

// Misbehaviours a DOE client must survive. A fault stays in force until the
// next inject(); inject(DoeFault::kNone) restores normal behaviour.
enum class DoeFault {
  kNone,
  kStuckBusy,            // Busy always reads 1; Go and write-mailbox writes are ignored
  kErrorMidExchange,     // Error is set once half of the response DWs have been advanced over
  kAbortNeverCompletes,  // after an Abort, Busy reads 1 until the fault is lifted
  kTruncatedResponse,    // the last response DW is never served: Ready drops one DW early
  kOversizedResponse,    // the length field counts one DW more than the object; it reads as 0
  kWrongHeader,          // the response's data object type differs from the request's
  kNoResponse,           // Go is accepted but Data Object Ready never rises
};

struct DoeSpec {
  bool interrupt_support = false;
  unsigned interrupt_message = 0;   // 11-bit field; higher bits are dropped
  std::optional<CdatEntries> cdat;    // present: table access (0x1E98, type 2) is offered
};

// Register-level model. Not locked: the owner serialises all calls.
class DoeModel {
 public:
  explicit DoeModel(DoeSpec spec);

  // reg = offset from the DOE capability start (regs::doe::kCapabilities ..
  // kReadMailbox); the extended capability header at 0 belongs to config
  // space. Other offsets read 0 and ignore writes.
  std::uint32_t read(unsigned reg);
  void write(unsigned reg, std::uint32_t value);

  void inject(DoeFault fault);
  // From now on, after each Go, Status reads Busy = 1 for n reads before the
  // response becomes ready.
  void set_busy_status_reads(unsigned n);
  // Exchanges whose whole response was served and advanced over.
  std::uint64_t exchanges() const { return exchanges_; }

  // Called when the DOE interrupt would be signalled: Interrupt Support and
  // Enable set and Interrupt Status rising. Runs inside read()/write().
  void set_interrupt_callback(std::function<void()> callback);

 private:
  using Dws = std::vector<std::uint32_t>;

  bool busy() const;
  bool response_available() const { return position_ < response_.size(); }
  bool interrupt_asserted() const;
  std::uint32_t status() const;
  void count_status_read();
  void write_control(std::uint32_t value);
  void write_request_dw(std::uint32_t value);
  void abort();
  void go();
  void deliver(Dws response);
  void advance();
  void fail();
  void raise_interrupt_status();
  void signal_if_newly_asserted(bool was_asserted);

  std::optional<Dws> answer(const Dws& request) const;
  std::optional<Dws> answer_discovery(std::uint32_t payload) const;
  std::optional<Dws> answer_table_access(std::uint32_t payload) const;

  DoeSpec spec_;
  std::function<void()> interrupt_callback_;
  DoeFault fault_ = DoeFault::kNone;
  unsigned busy_reads_per_exchange_ = 0;

  bool interrupt_enable_ = false;
  bool interrupt_status_ = false;
  bool error_ = false;
  bool aborted_ = false;           // an Abort arrived since the last inject()

  Dws request_;
  bool request_overflow_ = false;  // more DWs written than any data object may hold
  std::optional<Dws> staged_;      // the response while Busy counts down
  unsigned busy_reads_left_ = 0;
  Dws response_;                   // the DWs served, in order
  std::size_t position_ = 0;       // the DW the read mailbox shows
  std::size_t error_at_ = 0;       // kErrorMidExchange: the position that sets Error (0: never)
  std::uint64_t exchanges_ = 0;
};

}  // namespace cpmu::sim
