// The built-in default topology, embedded at build time by sim/embed_text.cmake.
#pragma once

#include <string_view>

namespace cpmu::sim::detail {

std::string_view embedded_default_topology();

}  // namespace cpmu::sim::detail
