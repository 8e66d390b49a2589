// DVSEC headers (facts §1.2): reading one, and checking that it fits.
#pragma once

#include <optional>
#include <vector>

#include "cpmu/config_space.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/result.hpp"

namespace cpmu::detail {

// Reads the DVSEC headers of the extended capability at `offset`. Returns
// nullopt (with a problem) when the headers themselves cannot be read; a DVSEC
// whose length is too short or runs past config space is returned with a
// problem, and `body_usable` false so nothing reads beyond it.
struct DvsecRead {
  std::optional<Dvsec> dvsec;
  bool body_usable = false;
};
DvsecRead read_dvsec(const ConfigSpace& config, unsigned offset, std::vector<Error>& problems);

}  // namespace cpmu::detail
