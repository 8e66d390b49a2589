#include "format/json_document.hpp"

#include "cpmu/json.hpp"

namespace cpmu::detail {

Json document_head(std::string_view type) {
  Json head;
  head["schema_version"] = json::kSchemaVersion;
  head["type"] = type;
  return head;
}

Json error_json(const Error& error) { return {{"code", errc_spelling(error.code())}, {"message", error.message()}}; }

Json errors_json(const std::vector<Error>& errors) {
  Json list = Json::array();
  for (const Error& e : errors) list.push_back(error_json(e));
  return list;
}

std::string pretty_document(const Json& document) { return document.dump(2) + "\n"; }

std::string line_document(const Json& document) { return document.dump(); }

std::string_view errc_spelling(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument: return "invalid_argument";
    case Errc::kNotFound: return "not_found";
    case Errc::kPermissionDenied: return "permission_denied";
    case Errc::kLockedDown: return "locked_down";
    case Errc::kOwnedByDriver: return "owned_by_driver";
    case Errc::kBusy: return "busy";
    case Errc::kTimeout: return "timeout";
    case Errc::kMalformed: return "malformed";
    case Errc::kDeviceGone: return "device_gone";
    case Errc::kUnsupported: return "unsupported";
    case Errc::kIo: return "io";
  }
  return "io";
}

std::string_view component_kind_spelling(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kRootPort: return "root_port";
    case ComponentKind::kSwitchUpstreamPort: return "switch_upstream_port";
    case ComponentKind::kSwitchDownstreamPort: return "switch_downstream_port";
    case ComponentKind::kEndpoint: return "endpoint";
    case ComponentKind::kOther: return "other";
  }
  return "other";
}

std::string snake_case(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == ' ' || c == '-') c = '_';
  }
  return out;
}

}  // namespace cpmu::detail
