// --user: after the hardware is open (the session, the CPMU BARs, the
// listening socket and the TLS keys), the exporter becomes USER and can
// never become root again.
#pragma once

#include <string>

#include "cpmu/result.hpp"

namespace cpmu::exporter {

// Sets the groups, gid and uid of `user` (a name or a numeric uid) and checks
// that root cannot be regained.
Status drop_privileges(const std::string& user);

}  // namespace cpmu::exporter
