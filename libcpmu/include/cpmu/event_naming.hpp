// Names for what a CPMU can count, through the event catalogue when it is
// loaded; raw VID/GID/mask otherwise.
#pragma once

#include "cpmu/export.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "cpmu/events.hpp"

namespace cpmu {

// The catalogue names of the single events selected by `mask`, in bit order;
// bits the catalogue does not name are left out.
CPMU_API std::vector<std::string> event_names(const EventCatalogue* catalogue, std::uint16_t vid, std::uint16_t gid,
                                     std::uint32_t mask);

// The group's title ("CXL.mem M2S requests"), or "" when unknown.
CPMU_API std::string group_title(const EventCatalogue* catalogue, std::uint16_t vid, std::uint16_t gid);

// Bits a CPMU can count that the catalogue has no name for, as raw codes,
// one per event group.
CPMU_API std::vector<EventCode> unnamed_codes(const EventCatalogue& catalogue, const CpmuEventCapabilities& caps);

}  // namespace cpmu
