// What role a PCI function plays in the CXL tree. Its own header because
// snapshots and selectors name it without needing the rest of discovery.
#pragma once

#include <string_view>

#include "cpmu/export.hpp"

namespace cpmu {

enum class ComponentKind { kRootPort, kSwitchUpstreamPort, kSwitchDownstreamPort, kEndpoint, kOther };
// "root-port", "upstream-port", "downstream-port", "endpoint", "other": the
// spellings selectors (selector.hpp) and `cpmu list -t` take
CPMU_API std::string_view component_kind_name(ComponentKind kind);
// "root port", "switch upstream port", ... for people
CPMU_API std::string_view component_kind_title(ComponentKind kind);

}  // namespace cpmu
