#include "cpmu/result.hpp"

namespace cpmu {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument: return "invalid argument";
    case Errc::kNotFound: return "not found";
    case Errc::kPermissionDenied: return "permission denied";
    case Errc::kLockedDown: return "refused by kernel lockdown";
    case Errc::kOwnedByDriver: return "owned by a kernel driver";
    case Errc::kBusy: return "busy";
    case Errc::kTimeout: return "timed out";
    case Errc::kMalformed: return "malformed";
    case Errc::kDeviceGone: return "device gone";
    case Errc::kUnsupported: return "unsupported";
    case Errc::kIo: return "I/O error";
  }
  return "unknown error";
}

}  // namespace cpmu
