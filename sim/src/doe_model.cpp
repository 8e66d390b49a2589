#include "cxlsim/doe_model.hpp"

#include <utility>

#include "cpmu/regs/doe.hpp"

namespace cpmu::sim {
namespace {

namespace doe = cpmu::regs::doe;

// The discovery answer for an index past the last protocol; QEMU answers so too.
constexpr std::uint16_t kNoProtocolVendor = 0xffff;
constexpr std::uint8_t kNoProtocolType = 0xff;
// Both protocols take a one-DW request payload.
constexpr std::size_t kMinRequestDw = doe::kHeaderDw + 1;

struct Protocol {
  std::uint16_t vendor;
  std::uint8_t type;
};

std::uint32_t length_field(std::size_t length_dw) {
  // The largest object, 2^18 DW, is encoded as 0.
  return static_cast<std::uint32_t>(doe::header::kLength.make(length_dw == doe::kMaxLengthDw ? 0 : length_dw));
}

std::uint32_t object_header(std::uint16_t vendor, std::uint8_t type) {
  return static_cast<std::uint32_t>(doe::header::kVendorId.make(vendor) | doe::header::kType.make(type));
}

}  // namespace

DoeModel::DoeModel(DoeSpec spec) : spec_(std::move(spec)) {}

void DoeModel::inject(DoeFault fault) {
  fault_ = fault;
  aborted_ = false;
}

void DoeModel::set_busy_status_reads(unsigned n) { busy_reads_per_exchange_ = n; }

void DoeModel::set_interrupt_callback(std::function<void()> callback) { interrupt_callback_ = std::move(callback); }

std::uint32_t DoeModel::read(unsigned reg) {
  const bool was_asserted = interrupt_asserted();
  std::uint32_t value = 0;
  switch (reg) {
    case doe::kCapabilities:
      if (spec_.interrupt_support) {
        value = static_cast<std::uint32_t>(doe::cap::kInterruptSupport.make(1) |
                                           doe::cap::kInterruptMessageNumber.make(spec_.interrupt_message));
      }
      break;
    case doe::kControl:
      // Abort and Go are triggers and read as 0.
      value = static_cast<std::uint32_t>(doe::control::kInterruptEnable.make(interrupt_enable_));
      break;
    case doe::kStatus:
      value = status();
      count_status_read();
      break;
    case doe::kReadMailbox:
      // A read only looks: with nothing pending it returns 0 and changes no
      // state, so a full config-space dump (lspci -xxxx) leaves the mailbox
      // as it found it. Only advancing past the end is an underflow.
      if (response_available()) value = response_[position_];
      break;
    default:
      break;
  }
  signal_if_newly_asserted(was_asserted);
  return value;
}

void DoeModel::write(unsigned reg, std::uint32_t value) {
  const bool was_asserted = interrupt_asserted();
  switch (reg) {
    case doe::kControl:
      write_control(value);
      break;
    case doe::kStatus:
      // Interrupt Status is RW1C; the other bits are read-only.
      if (doe::status::kInterruptStatus.get(value) != 0) interrupt_status_ = false;
      break;
    case doe::kWriteMailbox:
      write_request_dw(value);
      break;
    case doe::kReadMailbox:
      advance();   // whatever the value
      break;
    default:
      break;
  }
  signal_if_newly_asserted(was_asserted);
}

bool DoeModel::busy() const {
  return fault_ == DoeFault::kStuckBusy || (fault_ == DoeFault::kAbortNeverCompletes && aborted_) ||
         busy_reads_left_ > 0;
}

std::uint32_t DoeModel::status() const {
  namespace st = doe::status;
  return static_cast<std::uint32_t>(st::kBusy.make(busy()) | st::kInterruptStatus.make(interrupt_status_) |
                                    st::kError.make(error_) | st::kDataObjectReady.make(response_available()));
}

void DoeModel::count_status_read() {
  if (busy_reads_left_ == 0 || --busy_reads_left_ > 0) return;
  raise_interrupt_status();   // Busy cleared
  if (staged_) {
    deliver(std::move(*staged_));
    staged_.reset();
  }
}

void DoeModel::write_control(std::uint32_t value) {
  // Every write sets Interrupt Enable: a client writing Go alone (as Linux
  // does) turns the interrupt off.
  interrupt_enable_ = doe::control::kInterruptEnable.get(value) != 0;
  if (doe::control::kAbort.get(value) != 0) {
    abort();   // wins over a Go in the same write
  } else if (doe::control::kGo.get(value) != 0) {
    go();
  }
}

void DoeModel::write_request_dw(std::uint32_t value) {
  if (busy()) return;
  if (request_.size() == doe::kMaxLengthDw) {
    request_overflow_ = true;
    return;
  }
  request_.push_back(value);
}

void DoeModel::abort() {
  request_.clear();
  request_overflow_ = false;
  staged_.reset();
  busy_reads_left_ = 0;
  response_.clear();
  position_ = 0;
  error_ = false;
  aborted_ = true;
}

void DoeModel::go() {
  // The mailbox is in use while Busy; after an Error only Abort resets it.
  if (busy() || error_) return;
  Dws request = std::move(request_);
  const bool overflow = request_overflow_;
  request_.clear();
  request_overflow_ = false;
  response_.clear();   // an unread response is dropped
  position_ = 0;

  std::optional<Dws> response = overflow ? std::nullopt : answer(request);
  if (!response) {
    fail();
    return;
  }
  Dws& r = *response;
  switch (fault_) {
    case DoeFault::kWrongHeader:
      r[0] = static_cast<std::uint32_t>(doe::header::kType.set(r[0], doe::header::kType.get(r[0]) + 1));
      break;
    case DoeFault::kOversizedResponse:
      if (r.size() < doe::kMaxLengthDw) {
        r.push_back(0);
        r[1] = length_field(r.size());
      }
      break;
    case DoeFault::kTruncatedResponse:
      r.pop_back();
      break;
    case DoeFault::kNoResponse:
      r.clear();
      break;
    default:
      break;
  }
  error_at_ = fault_ == DoeFault::kErrorMidExchange ? r.size() / 2 : 0;
  if (busy_reads_per_exchange_ > 0) {
    busy_reads_left_ = busy_reads_per_exchange_;
    if (!r.empty()) staged_ = std::move(r);
  } else if (!r.empty()) {
    deliver(std::move(r));
  }
}

void DoeModel::deliver(Dws response) {
  response_ = std::move(response);
  position_ = 0;
  raise_interrupt_status();   // Data Object Ready rose
}

void DoeModel::advance() {
  if (!response_available()) {
    fail();   // advancing past the end
    return;
  }
  ++position_;
  if (position_ == error_at_) {
    fail();
  } else if (position_ == response_.size()) {
    response_.clear();
    position_ = 0;
    ++exchanges_;
  }
}

void DoeModel::fail() {
  error_ = true;
  // An error abandons the exchange: nothing is left to read.
  staged_.reset();
  busy_reads_left_ = 0;
  response_.clear();
  position_ = 0;
  raise_interrupt_status();
}

void DoeModel::raise_interrupt_status() {
  // UNVERIFIED: we assume Interrupt Status stays 0 on a function without
  // interrupt support (the PCIe text was not available).
  if (spec_.interrupt_support) interrupt_status_ = true;
}

bool DoeModel::interrupt_asserted() const {
  return spec_.interrupt_support && interrupt_enable_ && interrupt_status_;
}

void DoeModel::signal_if_newly_asserted(bool was_asserted) {
  if (!was_asserted && interrupt_asserted() && interrupt_callback_) interrupt_callback_();
}

std::optional<DoeModel::Dws> DoeModel::answer(const Dws& request) const {
  if (request.size() < doe::kHeaderDw) return std::nullopt;
  std::size_t length = doe::header::kLength.get(request[1]);
  if (length == 0) length = doe::kMaxLengthDw;
  // QEMU silently discards such a request; reporting Error tells the client.
  if (length != request.size() || length < kMinRequestDw) return std::nullopt;

  const auto vendor = static_cast<std::uint16_t>(doe::header::kVendorId.get(request[0]));
  const auto type = static_cast<std::uint8_t>(doe::header::kType.get(request[0]));
  // Payload DWs past the first are ignored by both protocols.
  const std::uint32_t payload = request[doe::kHeaderDw];
  std::optional<Dws> body;
  if (vendor == doe::kPciSigVendorId && type == doe::kTypeDiscovery) {
    body = answer_discovery(payload);
  } else if (vendor == doe::kCxlVendorId && type == doe::kTypeCxlTableAccess && spec_.cdat) {
    body = answer_table_access(payload);
  }
  if (!body || body->size() > doe::kMaxLengthDw - doe::kHeaderDw) return std::nullopt;

  Dws response{object_header(vendor, type), length_field(doe::kHeaderDw + body->size())};
  response.insert(response.end(), body->begin(), body->end());
  return response;
}

std::optional<DoeModel::Dws> DoeModel::answer_discovery(std::uint32_t payload) const {
  // The request's version field (bits 15:8) does not change the answer.
  std::vector<Protocol> protocols{{doe::kPciSigVendorId, doe::kTypeDiscovery}};
  if (spec_.cdat) protocols.push_back({doe::kCxlVendorId, doe::kTypeCxlTableAccess});

  const std::size_t index = doe::discovery::kRequestIndex.get(payload);
  Protocol found{kNoProtocolVendor, kNoProtocolType};
  std::size_t next = 0;
  if (index < protocols.size()) {
    found = protocols[index];
    if (index + 1 < protocols.size()) next = index + 1;
  }
  namespace d = doe::discovery;
  return Dws{static_cast<std::uint32_t>(d::kResponseVendorId.make(found.vendor) | d::kResponseType.make(found.type) |
                                        d::kResponseNextIndex.make(next))};
}

std::optional<DoeModel::Dws> DoeModel::answer_table_access(std::uint32_t payload) const {
  namespace ta = doe::table_access;
  const auto& entries = spec_.cdat->entries;
  const std::size_t handle = ta::kEntryHandle.get(payload);
  if (ta::kCode.get(payload) != ta::kReadEntry || ta::kTableType.get(payload) != ta::kTableCdat ||
      handle >= entries.size()) {
    return std::nullopt;
  }
  const std::size_t next = handle + 1 < entries.size() ? handle + 1 : ta::kLastEntry;
  // The response code of a read entry is the request code, 0.
  Dws body{static_cast<std::uint32_t>(ta::kCode.make(ta::kReadEntry) | ta::kTableType.make(ta::kTableCdat) |
                                      ta::kEntryHandle.make(next))};
  const auto& entry = entries[handle];
  for (std::size_t i = 0; i < entry.size(); i += 4) {
    std::uint32_t dw = 0;
    for (std::size_t b = 0; b < 4 && i + b < entry.size(); ++b) dw |= static_cast<std::uint32_t>(entry[i + b]) << (8 * b);
    body.push_back(dw);   // a trailing partial DW is zero-padded
  }
  return body;
}

}  // namespace cpmu::sim
