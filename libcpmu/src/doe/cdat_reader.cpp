// Getting a CDAT table's bytes: from the kernel's cached copy, or entry by
// entry over DOE table access (facts §5.1, §5.5).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "cpmu/cdat.hpp"
#include "cpmu/regs/doe.hpp"
#include "platform/sysfs_file.hpp"

namespace cpmu {
namespace {

namespace doe = regs::doe;
namespace ta = regs::doe::table_access;
namespace cdat = regs::cdat;

constexpr DoeProtocol kTableAccess{doe::kCxlVendorId, doe::kTypeCxlTableAccess};
// One response DW for the table-access header, then the largest structure a
// 16-bit length allows, rounded up to whole DWs.
constexpr std::size_t kMaxElementDw = (0xffff + 3) / 4;
constexpr std::size_t kMaxResponseDw = 1 + kMaxElementDw;

std::vector<std::uint8_t> bytes_of(std::span<const std::uint32_t> dws) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(dws.size() * 4);
  for (std::uint32_t dw : dws) {
    for (unsigned i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(dw >> (8 * i)));
  }
  return bytes;
}

// The table element of one response, trimmed to its own length: the header
// for handle 0, else a structure (whose last DW may carry padding).
Result<std::vector<std::uint8_t>> element_of(const DoeMailbox& mailbox, unsigned handle,
                                             std::span<const std::uint32_t> element_dws) {
  auto element = bytes_of(element_dws);
  auto bad = [&](std::string what) {
    return Error(Errc::kMalformed, fmt::format("{}: CDAT entry handle {}: {}", mailbox.name(), handle, what));
  };
  if (handle == 0) {
    if (element.size() != cdat::header::kSize) {
      return bad(fmt::format("the header element is {} bytes, expected {}", element.size(), cdat::header::kSize));
    }
    return element;
  }
  if (element.size() < cdat::kStructHeaderSize) {
    return bad(fmt::format("the element is {} bytes, too short for a structure header", element.size()));
  }
  const std::size_t length = element[cdat::kStructLength] | (std::size_t{element[cdat::kStructLength + 1]} << 8);
  if (length < cdat::kStructHeaderSize || length > element.size() || element.size() - length >= 4) {
    return bad(fmt::format("the response carries {} bytes, but the structure's length field says {}",
                           element.size(), length));
  }
  element.resize(length);
  return element;
}

}  // namespace

Result<std::vector<std::uint8_t>> read_cdat_over_doe(DoeMailbox& mailbox, const CdatReadLimits& limits) {
  std::vector<std::uint8_t> table;
  std::set<unsigned> seen;
  unsigned handle = 0;
  for (std::size_t entries = 0;; ++entries) {
    if (entries == limits.max_entries) {
      return Error(Errc::kMalformed, fmt::format("{}: CDAT has more than {} entries; giving up", mailbox.name(),
                                                 limits.max_entries));
    }
    seen.insert(handle);
    DoeRequest request;
    request.protocol = kTableAccess;
    request.payload = {static_cast<std::uint32_t>(ta::kCode.make(ta::kReadEntry) | ta::kTableType.make(ta::kTableCdat) |
                                                  ta::kEntryHandle.make(handle))};
    request.max_response_dw = kMaxResponseDw;
    auto response = mailbox.exchange(std::move(request));
    if (!response) return response.error();
    if (response->device_payload_dw > kMaxResponseDw) {
      return Error(Errc::kMalformed, fmt::format("{}: CDAT entry handle {}: response of {} DW is larger than any "
                                                 "CDAT element",
                                                 mailbox.name(), handle, response->device_payload_dw));
    }
    if (response->payload.empty()) {
      return Error(Errc::kMalformed, fmt::format("{}: CDAT entry handle {}: empty response", mailbox.name(), handle));
    }
    const std::uint32_t header = response->payload[0];
    if (ta::kCode.get(header) != ta::kReadEntry || ta::kTableType.get(header) != ta::kTableCdat) {
      return Error(Errc::kMalformed, fmt::format("{}: CDAT entry handle {}: response code {} table type {}, expected "
                                                 "0 and 0",
                                                 mailbox.name(), handle, ta::kCode.get(header),
                                                 ta::kTableType.get(header)));
    }
    auto element = element_of(mailbox, handle, std::span(response->payload).subspan(1));
    if (!element) return element.error();
    if (element->size() > limits.max_bytes - std::min(limits.max_bytes, table.size())) {
      return Error(Errc::kMalformed, fmt::format("{}: CDAT grows past {} bytes; giving up", mailbox.name(),
                                                 limits.max_bytes));
    }
    table.insert(table.end(), element->begin(), element->end());

    const auto next = static_cast<unsigned>(ta::kEntryHandle.get(header));
    if (next == ta::kLastEntry) return table;
    if (seen.count(next) != 0) {
      return Error(Errc::kMalformed, fmt::format("{}: CDAT entry handle {} names handle {} as next, which was "
                                                 "already read: the table loops",
                                                 mailbox.name(), handle, next));
    }
    handle = next;
  }
}

Result<RawCdat> read_function_cdat(Platform& platform, const PciFunctionInfo& function,
                                   std::span<const unsigned> doe_offsets, std::string_view kernel_object,
                                   const CdatReadOptions& options) {
  const std::string where = function.address.to_string();
  if (!kernel_object.empty()) {
    // The kernel's copy: present and non-empty means it read and validated
    // the table; empty means its read failed, so we try for ourselves.
    const auto path = std::filesystem::path(options.cxl_root) / "devices" / std::string(kernel_object) / "CDAT";
    // Non-blocking and bounded (platform/sysfs_file.hpp): a FIFO or an
    // endless file there must not hang or exhaust cpmu.
    const Result<std::string> text = detail::read_sysfs_text(path.string(), options.limits.max_bytes);
    if (!text && text.error().code() == Errc::kMalformed) return text.error().context(where);
    if (text && !text->empty()) return RawCdat{std::vector<std::uint8_t>(text->begin(), text->end()), path.string()};
  }

  Error last(Errc::kNotFound, fmt::format("{}: no DOE mailbox offers CXL table access (CDAT)", where));
  for (unsigned offset : doe_offsets) {
    if (Status s = check_doe_access(platform, function, options.access); !s) return s.error();
    DoeMailbox mailbox(platform, function.address, offset, options.mailbox);
    auto protocols = discover_doe_protocols(mailbox);
    if (!protocols) {
      last = protocols.error();
      continue;
    }
    if (std::find(protocols->begin(), protocols->end(), kTableAccess) == protocols->end()) continue;
    auto bytes = read_cdat_over_doe(mailbox, options.limits);
    if (!bytes) return bytes.error();
    return RawCdat{std::move(*bytes), fmt::format("DOE@{:#x}", offset)};
  }
  return last;
}

}  // namespace cpmu
