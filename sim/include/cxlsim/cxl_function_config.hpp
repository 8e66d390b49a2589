// The config space of one CXL function: header, BARs, PCIe / MSI-X / power
// management capabilities, and the extended capabilities each kind carries
// (facts §1): DSN, the CXL DVSECs, the Register Locator and DOE.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "cpmu/result.hpp"
#include "cxlsim/config_space_model.hpp"
#include "cxlsim/config_space_builder.hpp"
#include "cxlsim/function_kind.hpp"

namespace cpmu::sim {

struct BarAssignment {
  unsigned index = 0;
  std::uint64_t base = 0;
  std::uint64_t size = 0;
};

// One Register Locator entry: block `block_id` at `offset` in BAR `bar`.
struct RegisterBlockEntry {
  unsigned bar = 0;
  unsigned block_id = 0;
  std::uint64_t offset = 0;
};

struct MsixLayout {
  unsigned bar = 0;
  std::uint32_t table_offset = 0;
  std::uint32_t pba_offset = 0;
  unsigned vectors = 1;
};

// Maximum and current link: the simulation trains every link at its maximum.
struct LinkLayout {
  unsigned speed_code = 1;   // 1..6 = 2.5..64 GT/s
  unsigned width = 1;
  unsigned port_number = 0;
  bool up = true;            // false: nothing below a downstream port
};

struct FunctionLayout {
  FunctionKind kind = FunctionKind::kEndpoint;
  HeaderIdentity identity;                   // layout is derived from kind
  BridgeBuses buses;                         // ports only
  std::optional<std::uint64_t> window_base;  // ports only: memory window
  std::uint64_t window_limit = 0;
  std::vector<BarAssignment> bars;
  MsixLayout msix;
  LinkLayout link;
  std::optional<std::uint64_t> serial;       // endpoints: Device Serial Number
  std::vector<std::uint64_t> memory_ranges;  // endpoints: DVSEC 0 range sizes
  std::vector<RegisterBlockEntry> register_blocks;
  bool doe = false;
  // Faults: the last extended capability points back at the first; the
  // Register Locator's DVSEC Length claims 0xFFF bytes.
  bool capability_loop = false;
  bool dvsec_length_past_config_space = false;
};

struct FunctionConfig {
  ConfigSpaceModel space;
  std::optional<unsigned> doe_offset;
};

Result<FunctionConfig> build_function_config(const FunctionLayout& layout);

}  // namespace cpmu::sim
