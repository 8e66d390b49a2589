// DOE discovery (facts §4.3): ask index 0, 1, ... until the device says the
// next index is 0. Each answer must be exactly one DW, and the next index
// must move forward, so a device that loops or chatters is caught at once.
#include <fmt/format.h>

#include "cpmu/doe.hpp"
#include "cpmu/regs/doe.hpp"

namespace cpmu {
namespace {

namespace doe = regs::doe;

// What an index past the last protocol answers (QEMU; facts §4.6).
constexpr DoeProtocol kNoProtocol{0xffff, 0xff};
// The discovery version a DOE v2 capability takes (kernel ≥ 6.10); older
// capabilities get 0.
constexpr unsigned kDiscoveryVersion2 = 2;

}  // namespace

Result<std::vector<DoeProtocol>> discover_doe_protocols(DoeMailbox& mailbox) {
  auto cap_version = mailbox.capability_version();
  if (!cap_version) return cap_version.error();
  const unsigned version = *cap_version >= 2 ? kDiscoveryVersion2 : 0;

  std::vector<DoeProtocol> protocols;
  unsigned index = 0;
  for (;;) {
    DoeRequest request;
    request.protocol = {doe::kPciSigVendorId, doe::kTypeDiscovery};
    request.payload = {static_cast<std::uint32_t>(doe::discovery::kRequestIndex.make(index) |
                                                  doe::discovery::kRequestVersion.make(version))};
    request.max_response_dw = 1;
    auto response = mailbox.exchange(std::move(request));
    if (!response) return response.error();
    if (response->device_payload_dw != 1) {
      return Error(Errc::kMalformed, fmt::format("{}: discovery index {}: response has {} payload DW, expected 1",
                                                 mailbox.name(), index, response->device_payload_dw));
    }
    const std::uint32_t dw = response->payload[0];
    const DoeProtocol found{static_cast<std::uint16_t>(doe::discovery::kResponseVendorId.get(dw)),
                            static_cast<std::uint8_t>(doe::discovery::kResponseType.get(dw))};
    if (!(found == kNoProtocol)) protocols.push_back(found);

    const auto next = static_cast<unsigned>(doe::discovery::kResponseNextIndex.get(dw));
    if (next == 0) return protocols;
    if (next <= index) {
      return Error(Errc::kMalformed, fmt::format("{}: discovery index {} names next index {}, which does not move on",
                                                 mailbox.name(), index, next));
    }
    index = next;
  }
}

}  // namespace cpmu
