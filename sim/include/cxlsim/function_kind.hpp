// What a simulated PCI function is in the CXL hierarchy.
#pragma once

#include <string_view>

namespace cpmu::sim {

enum class FunctionKind { kRootPort, kUpstreamPort, kDownstreamPort, kEndpoint };

constexpr std::string_view function_kind_name(FunctionKind kind) {
  switch (kind) {
    case FunctionKind::kRootPort: return "root port";
    case FunctionKind::kUpstreamPort: return "switch upstream port";
    case FunctionKind::kDownstreamPort: return "switch downstream port";
    case FunctionKind::kEndpoint: return "memory expander";
  }
  return "unknown";
}

}  // namespace cpmu::sim
