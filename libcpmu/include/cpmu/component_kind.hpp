// What role a PCI function plays in the CXL tree. Its own header because
// snapshots and selectors name it without needing the rest of discovery.
#pragma once

#include <string_view>

#include "cpmu/export.hpp"

namespace cpmu {

enum class ComponentKind { kRootPort, kSwitchUpstreamPort, kSwitchDownstreamPort, kEndpoint, kOther };
// "root-port", "usp", "dsp", "endpoint", "other" (the spellings `cpmu list -t` takes)
CPMU_API std::string_view component_kind_name(ComponentKind kind);
// "root port", "switch upstream port", ... for people
CPMU_API std::string_view component_kind_title(ComponentKind kind);

}  // namespace cpmu
