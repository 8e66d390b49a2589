// The DOE exchange state machine (facts §4.4) behind an asynchronous queue.
//
// States, per exchange: reset (abort before first use) → wait while Busy →
// send → wait for Data Object Ready → receive → check Error. Any failure
// goes through an abort; an abort that does not finish makes the mailbox
// dead for good, because a device that ignores Abort cannot be trusted to
// answer the next request with the matching response.
#include "cpmu/doe.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "cpmu/regs/doe.hpp"
#include "cpmu/regs/pci_config.hpp"

namespace cpmu {
namespace {

namespace doe = regs::doe;

constexpr std::uint32_t kAllOnes = 0xffffffffu;
// While receiving, Status is looked at before every this many payload DWs.
constexpr std::size_t kStatusCheckDw = 256;

class SteadyDoeClock final : public DoeClock {
 public:
  std::chrono::nanoseconds now() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
  }
  void sleep_for(std::chrono::nanoseconds duration) override { std::this_thread::sleep_for(duration); }
};

std::string describe(std::chrono::nanoseconds duration) {
  using namespace std::chrono;
  if (duration % seconds(1) == nanoseconds(0)) return fmt::format("{} s", duration / seconds(1));
  if (duration % milliseconds(1) == nanoseconds(0)) return fmt::format("{} ms", duration / milliseconds(1));
  return fmt::format("{} ns", duration.count());
}

std::string protocol_text(DoeProtocol p) { return fmt::format("({:#06x}, {})", p.vendor_id, p.type); }

std::uint32_t object_header(DoeProtocol p) {
  return static_cast<std::uint32_t>(doe::header::kVendorId.make(p.vendor_id) | doe::header::kType.make(p.type));
}

// One exchange at a time on one mailbox; runs on the worker thread only.
class Exchanger {
 public:
  Exchanger(Platform& platform, PciAddress function, unsigned offset, DoeMailboxOptions options)
      : platform_(platform), function_(function), offset_(offset), timing_(options.timing),
        clock_(options.clock ? std::move(options.clock) : steady_doe_clock()) {}

  // Aborts whatever is in flight and waits for the mailbox to be idle.
  Status abort() {
    if (Status s = write(doe::kControl, static_cast<std::uint32_t>(doe::control::kAbort.make(1))); !s) return s;
    const auto deadline = clock_->now() + timing_.timeout;
    for (;;) {
      auto status = read(doe::kStatus);
      if (!status) return status.error();
      if (*status == kAllOnes) return gone();
      if (doe::status::kBusy.get(*status) == 0 && doe::status::kError.get(*status) == 0) return {};
      if (clock_->now() >= deadline) {
        return Error(Errc::kTimeout, fmt::format("abort did not complete within {} (status {:#010x})",
                                                 describe(timing_.timeout), *status));
      }
      clock_->sleep_for(timing_.poll_interval);
    }
  }

  Result<DoeResponse> run(const DoeRequest& request) {
    if (Status s = wait_while_busy(); !s) return s.error();
    if (Status s = send(request); !s) return s.error();
    if (Status s = wait_for_response(); !s) return s.error();
    return receive(request);
  }

 private:
  Result<std::uint32_t> read(unsigned reg) { return platform_.config_read32(function_, offset_ + reg); }
  Status write(unsigned reg, std::uint32_t value) { return platform_.config_write32(function_, offset_ + reg, value); }

  static Error gone() { return Error(Errc::kDeviceGone, "DOE Status reads all ones: the device is gone"); }

  // Busy means the mailbox cannot take a request now, perhaps because some
  // other agent is using it; there is no interrupt for Busy clearing.
  Status wait_while_busy() {
    const auto deadline = clock_->now() + timing_.timeout;
    for (;;) {
      auto status = read(doe::kStatus);
      if (!status) return status.error();
      if (*status == kAllOnes) return gone();
      if (doe::status::kError.get(*status) != 0) {
        return Error(Errc::kIo, "Error is set before the request was sent");
      }
      if (doe::status::kBusy.get(*status) == 0) return {};
      if (clock_->now() >= deadline) {
        return Error(Errc::kBusy, fmt::format("mailbox stayed Busy for {}: another agent may be using it",
                                              describe(timing_.timeout)));
      }
      clock_->sleep_for(timing_.poll_interval);
    }
  }

  Status send(const DoeRequest& request) {
    const std::size_t length = doe::kHeaderDw + request.payload.size();
    // The largest object, 2^18 DW, is encoded as length 0.
    const auto length_field = static_cast<std::uint32_t>(doe::header::kLength.make(length));
    if (Status s = write(doe::kWriteMailbox, object_header(request.protocol)); !s) return s;
    if (Status s = write(doe::kWriteMailbox, length_field); !s) return s;
    for (std::uint32_t dw : request.payload) {
      if (Status s = write(doe::kWriteMailbox, dw); !s) return s;
    }
    // Go alone: Interrupt Enable stays 0, we poll.
    return write(doe::kControl, static_cast<std::uint32_t>(doe::control::kGo.make(1)));
  }

  Status wait_for_response() {
    const auto deadline = clock_->now() + timing_.timeout;
    for (;;) {
      auto status = read(doe::kStatus);
      if (!status) return status.error();
      if (*status == kAllOnes) return gone();
      if (doe::status::kError.get(*status) != 0) {
        return Error(Errc::kIo, "the device set Error while processing the request");
      }
      if (doe::status::kDataObjectReady.get(*status) != 0) return {};
      if (clock_->now() >= deadline) {
        return Error(Errc::kTimeout, fmt::format("no response within {}", describe(timing_.timeout)));
      }
      clock_->sleep_for(timing_.poll_interval);
    }
  }

  // Reads the DW the read mailbox shows, then writes to advance to the next.
  Result<std::uint32_t> take() {
    auto dw = read(doe::kReadMailbox);
    if (!dw) return dw;
    if (Status s = write(doe::kReadMailbox, 0); !s) return s.error();
    return dw;
  }

  Status check_still_ready(std::size_t dw, std::size_t total) {
    auto status = read(doe::kStatus);
    if (!status) return status.error();
    if (*status == kAllOnes) return gone();
    if (doe::status::kError.get(*status) != 0) {
      // Before the first payload DW the length came from an object the
      // device had already failed: it is no size to report.
      if (dw == 0) {
        return Error(Errc::kIo,
                     "the device set Error right after the response header: the response is void "
                     "(its length field is not to be trusted)");
      }
      return Error(Errc::kIo, fmt::format("the device set Error before payload DW {} of {} was read", dw + 1, total));
    }
    if (doe::status::kDataObjectReady.get(*status) == 0) {
      return Error(Errc::kMalformed, fmt::format("response truncated: Data Object Ready dropped before payload DW {} "
                                                 "of {}",
                                                 dw + 1, total));
    }
    return {};
  }

  Result<DoeResponse> receive(const DoeRequest& request) {
    auto dw0 = take();
    if (!dw0) return dw0.error();
    const DoeProtocol answered{static_cast<std::uint16_t>(doe::header::kVendorId.get(*dw0)),
                               static_cast<std::uint8_t>(doe::header::kType.get(*dw0))};
    if (!(answered == request.protocol)) {
      return Error(Errc::kMalformed, fmt::format("response is for protocol {} but the request was for {}",
                                                 protocol_text(answered), protocol_text(request.protocol)));
    }
    auto dw1 = take();
    if (!dw1) return dw1.error();
    // The length counts the two header DWs; 0 stands for the largest object.
    std::size_t length = doe::header::kLength.get(*dw1);
    if (length == 0) length = doe::kMaxLengthDw;
    if (length < doe::kHeaderDw) {
      return Error(Errc::kMalformed,
                   fmt::format("response length is {} DW, shorter than the 2-DW object header", length));
    }

    DoeResponse response;
    response.device_payload_dw = length - doe::kHeaderDw;
    const std::size_t kept = std::min(response.device_payload_dw, request.max_response_dw);
    response.payload.reserve(kept);
    for (std::size_t i = 0; i < response.device_payload_dw; ++i) {
      // Ready before the last DW tells a truncated response from a whole
      // one; the periodic look stops a failed exchange from being drained
      // DW by DW up to a length field that may be garbage.
      if (i % kStatusCheckDw == 0 || i + 1 == response.device_payload_dw) {
        if (Status s = check_still_ready(i, response.device_payload_dw); !s) return s.error();
      }
      auto dw = take();
      if (!dw) return dw.error();
      if (i < kept) response.payload.push_back(*dw);   // the excess is read and discarded
    }

    // An error raised while we were reading voids what we read.
    auto status = read(doe::kStatus);
    if (!status) return status.error();
    if (*status == kAllOnes) return gone();
    if (doe::status::kError.get(*status) != 0) {
      return Error(Errc::kIo, "the device set Error while the response was being read");
    }
    return response;
  }

  Platform& platform_;
  PciAddress function_;
  unsigned offset_;
  DoeTiming timing_;
  std::shared_ptr<DoeClock> clock_;
};

}  // namespace

std::shared_ptr<DoeClock> steady_doe_clock() {
  static const auto clock = std::make_shared<SteadyDoeClock>();
  return clock;
}

std::string_view doe_protocol_name(DoeProtocol protocol) {
  if (protocol.vendor_id == doe::kPciSigVendorId) {
    switch (protocol.type) {
      case doe::kTypeDiscovery: return "PCI-SIG Discovery";
      case doe::kTypeCma: return "CMA/SPDM";
      case doe::kTypeSecuredCma: return "Secured CMA/SPDM";
      default: return "";
    }
  }
  if (protocol.vendor_id == doe::kCxlVendorId && protocol.type == doe::kTypeCxlTableAccess) {
    return "CXL Table Access (CDAT)";
  }
  return "";
}

struct DoeMailbox::Worker {
  struct Job {
    DoeRequest request;
    std::promise<Result<DoeResponse>> promise;
  };

  Worker(Platform& platform, PciAddress function, unsigned offset, DoeMailboxOptions options, std::string label)
      : exchanger(platform, function, offset, std::move(options)), name(std::move(label)) {}

  Error dead_error() const {
    return Error(Errc::kIo, fmt::format("{}: mailbox is dead ({}); no further requests are sent", name, dead_reason));
  }

  void loop() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty()) return;   // stopping, nothing left
      Job job = std::move(queue.front());
      queue.pop_front();
      if (stopping) {
        job.promise.set_value(Error(Errc::kIo, name + ": mailbox closed before the request was sent"));
        continue;
      }
      lock.unlock();
      Result<DoeResponse> result = serve(job.request);
      lock.lock();
      job.promise.set_value(std::move(result));
    }
  }

  // Runs on the worker thread. `dead` is only written here, under the mutex.
  Result<DoeResponse> serve(const DoeRequest& request) {
    if (is_dead()) return dead_error();
    if (!reset_done) {
      if (Status s = exchanger.abort(); !s) {
        mark_dead("the reset before first use failed: " + s.error().message());
        if (s.error().code() != Errc::kTimeout) {
          // The platform refused the access (read-only dump, no privilege): say that, not "dead".
          return Error(s.error().code(), fmt::format("{}: cannot reset the mailbox before first use: {}", name,
                                                     s.error().message()));
        }
        return Error(s.error().code(), fmt::format("{}: the abort that resets the mailbox before first use failed "
                                                   "({}), so the mailbox is dead",
                                                   name, s.error().message()));
      }
      reset_done = true;
    }
    Result<DoeResponse> result = exchanger.run(request);
    if (result) return result;
    if (Status s = exchanger.abort(); !s) {
      mark_dead("the abort after a failed exchange failed: " + s.error().message());
      return Error(result.error().code(),
                   fmt::format("{}: {}; then the abort failed, so the mailbox is dead ({})", name,
                               result.error().message(), s.error().message()));
    }
    return result.error().context(name);
  }

  bool is_dead() {
    std::lock_guard guard(mutex);
    return dead;
  }
  void mark_dead(std::string reason) {
    std::lock_guard guard(mutex);
    dead = true;
    dead_reason = std::move(reason);
  }

  Exchanger exchanger;
  const std::string name;
  bool reset_done = false;   // worker thread only

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> queue;
  bool stopping = false;
  bool dead = false;
  std::string dead_reason;
  std::thread thread;
};

DoeMailbox::DoeMailbox(Platform& platform, PciAddress function, unsigned offset, DoeMailboxOptions options)
    : platform_(platform), function_(function), offset_(offset),
      worker_(std::make_unique<Worker>(platform, function, offset, std::move(options), name())) {}

DoeMailbox::~DoeMailbox() {
  {
    std::lock_guard guard(worker_->mutex);
    worker_->stopping = true;
  }
  worker_->wake.notify_all();
  if (worker_->thread.joinable()) worker_->thread.join();
}

std::string DoeMailbox::name() const { return fmt::format("{} DOE@{:#x}", function_.to_string(), offset_); }

bool DoeMailbox::dead() const {
  std::lock_guard guard(worker_->mutex);
  return worker_->dead;
}

std::future<Result<DoeResponse>> DoeMailbox::submit(DoeRequest request) {
  std::promise<Result<DoeResponse>> promise;
  auto future = promise.get_future();
  if (request.payload.size() > doe::kMaxLengthDw - doe::kHeaderDw) {
    promise.set_value(Error(Errc::kInvalidArgument,
                            fmt::format("{}: request payload of {} DW exceeds the DOE maximum of {} DW", name(),
                                        request.payload.size(), doe::kMaxLengthDw - doe::kHeaderDw)));
    return future;
  }
  std::lock_guard guard(worker_->mutex);
  if (worker_->dead) {
    promise.set_value(worker_->dead_error());
    return future;
  }
  if (!worker_->thread.joinable()) {
    try {
      worker_->thread = std::thread([worker = worker_.get()] { worker->loop(); });
    } catch (const std::system_error& e) {
      promise.set_value(Error(Errc::kIo, fmt::format("{}: cannot start the mailbox thread: {}", name(), e.what())));
      return future;
    }
  }
  worker_->queue.push_back(Worker::Job{std::move(request), std::move(promise)});
  worker_->wake.notify_one();
  return future;
}

Result<DoeResponse> DoeMailbox::exchange(DoeRequest request) { return submit(std::move(request)).get(); }

Result<unsigned> DoeMailbox::capability_version() {
  auto header = platform_.config_read32(function_, offset_);
  if (!header) return header.error().context(name());
  return static_cast<unsigned>(regs::pci::ext_cap::kVersion.get(*header));
}

}  // namespace cpmu
