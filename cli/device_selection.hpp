// What the commands that take DEVICE arguments share: choosing functions by
// selectors (cpmu/selector.hpp), and the words they print about them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cpmu/session.hpp"

namespace cpmu::cli {

// DEVICE, as a selector (empty: every function `fallback` accepts). Fails if
// DEVICE is malformed or matches nothing.
Result<std::vector<std::size_t>> select_devices(const Session& session, const std::string& device,
                                                bool (*fallback)(const DiscoveredFunction&));

// Why nothing could be found, when the backend refused extended config space
// (Linux without root: DOE capabilities live above the first 64 bytes, and
// the kernel's CDAT copies are root-only too); empty otherwise.
std::string unprivileged_note(const Session& session);

// "0000:0d:00.0 switch upstream port mem0" style heading for one function.
std::string function_heading(const DiscoveredFunction& function);

}  // namespace cpmu::cli
