// DOE (Data Object Exchange) mailboxes: one request/response exchange at a
// time per mailbox, the DOE discovery protocol, and the rule for mailboxes a
// kernel driver may be using. The exchange state machine, its timeouts and
// what makes a mailbox dead are described in docs/doe-cdat.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/export.hpp"
#include "cpmu/pci_address.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

// A DOE protocol ("data object type") is named by a vendor ID and a type.
struct DoeProtocol {
  std::uint16_t vendor_id = 0;
  std::uint8_t type = 0;
  bool operator==(const DoeProtocol&) const = default;
};

// "PCI-SIG Discovery", "CMA/SPDM", "Secured CMA/SPDM", "CXL Table Access (CDAT)",
// or "" for a pair the facts do not name.
CPMU_API std::string_view doe_protocol_name(DoeProtocol protocol);

// What asking one function's DOE mailboxes found (`cpmu doe`).
struct DoeMailboxReport {
  unsigned offset = 0;
  bool interrupt_support = false;
  unsigned interrupt_message = 0;
  std::vector<DoeProtocol> protocols;
  std::optional<Error> error;                 // why the protocols are missing or incomplete
};
struct DoeFunctionReport {
  std::size_t function = 0;                   // index into DiscoveredMachine::functions
  std::vector<DoeMailboxReport> mailboxes;
  // What the kernel found, when a mailbox was left alone and the kernel says.
  std::optional<std::vector<DoeProtocol>> kernel_protocols;
};

// The PCIe DOE limits: 1 s for Busy to clear, for a response and for an
// abort; poll every 1/128 s (what Linux does). Tests shorten nothing: they
// replace the clock instead, so a 1 s timeout passes in virtual time.
struct DoeTiming {
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);
  std::chrono::nanoseconds poll_interval = std::chrono::nanoseconds(7'812'500);
};

// Time as a mailbox sees it. The default is the steady clock and a real sleep.
class CPMU_API DoeClock {
 public:
  virtual ~DoeClock() = default;
  virtual std::chrono::nanoseconds now() = 0;
  virtual void sleep_for(std::chrono::nanoseconds duration) = 0;
};
CPMU_API std::shared_ptr<DoeClock> steady_doe_clock();

struct DoeRequest {
  DoeProtocol protocol;
  std::vector<std::uint32_t> payload;   // at most 2^18 - 2 DW
  // Response payload DWs beyond this many are read and discarded.
  std::size_t max_response_dw = std::size_t{1} << 18;
};

struct DoeResponse {
  std::vector<std::uint32_t> payload;   // at most max_response_dw DWs
  std::size_t device_payload_dw = 0;    // what the length field announced, excess included
};

struct DoeMailboxOptions {
  DoeTiming timing;
  std::shared_ptr<DoeClock> clock;      // null: steady_doe_clock()
};

// One mailbox: the DOE capability at `offset` in the config space of
// `function`. Requests queue and run one at a time on the mailbox's own
// worker thread, which is the only thread that touches its registers; the
// Platform must tolerate being called from it (every libcpmu backend does).
//
// Before the first exchange the mailbox is reset with an abort. Any failed
// exchange is followed by an abort; an abort that does not complete within
// the timeout leaves the mailbox dead, and every later request fails at once
// without touching the device. Nothing touches the device at construction.
class CPMU_API DoeMailbox {
 public:
  DoeMailbox(Platform& platform, PciAddress function, unsigned offset, DoeMailboxOptions options = {});
  ~DoeMailbox();   // finishes the exchange in flight; queued requests fail
  DoeMailbox(const DoeMailbox&) = delete;
  DoeMailbox& operator=(const DoeMailbox&) = delete;

  // The asynchronous core: the future is ready when the exchange is done.
  std::future<Result<DoeResponse>> submit(DoeRequest request);
  // The same, waiting for the answer.
  Result<DoeResponse> exchange(DoeRequest request);

  bool dead() const;
  const PciAddress& function() const { return function_; }
  unsigned offset() const { return offset_; }
  // "0000:0d:00.0 DOE@0x1a8", the prefix of every error this mailbox returns.
  std::string name() const;

  // The DOE capability's version (bits 19:16 of its header); a read only.
  Result<unsigned> capability_version();

 private:
  struct Worker;

  Platform& platform_;
  PciAddress function_;
  unsigned offset_;
  std::unique_ptr<Worker> worker_;
};

// DOE discovery (PCI-SIG, type 0): every (vendor, type) pair the mailbox
// answers, in index order, index 0 (discovery itself) included.
CPMU_API Result<std::vector<DoeProtocol>> discover_doe_protocols(DoeMailbox& mailbox);

// The protocols the kernel found on a function's DOE mailboxes, as newer
// kernels (about 6.15; version UNVERIFIED) list them in
// <function sysfs dir>/doe_features/: "doe_discovery" for discovery and one
// file named "vvvv:tt" (hex) per other protocol. Reading them touches no
// mailbox. nullopt when the directory does not exist.
CPMU_API std::optional<std::vector<DoeProtocol>> read_kernel_doe_features(const std::string& function_sysfs_path);

// The kernel-ownership rule. On the Linux backend a mailbox of a function
// bound to cxl_pci, cxl_port or pcieport while the CXL core module is loaded
// may be in use by the kernel (it reads CDAT at probe time and may run other
// protocols); userspace exchanges could then collide with it. Such a mailbox
// is refused (kOwnedByDriver) unless `force` is set. Other backends have no
// kernel to collide with.
struct DoeAccessPolicy {
  bool force = false;
  std::string module_root = "/sys/module";   // where loaded modules show up
};
CPMU_API Status check_doe_access(const Platform& platform, const PciFunctionInfo& function,
                                 const DoeAccessPolicy& policy);

}  // namespace cpmu
