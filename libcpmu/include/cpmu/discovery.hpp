// Discovery: what a PCI function is (port or endpoint, link, serial number),
// which CXL DVSECs it carries, which register blocks its Register Locator
// names, its CPMUs and DOE mailboxes, and what was wrong on the way.
//
// Two entry points: decode_function() works on config-space bytes alone (so a
// dump, a QEMU .config.bin or a fuzzer's buffer can be decoded), discover()
// runs it over a Platform and adds what needs BAR access (CPMU capabilities).
// How it works and its limits: docs/discovery.md.
#pragma once

#include "cpmu/config_space.hpp"
#include "cpmu/discovered_machine.hpp"
#include "cpmu/export.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/result.hpp"

namespace cpmu {

// Decodes everything config space alone tells. `info` supplies the address,
// IDs and BAR sizes (when the backend knows them); the bytes are authoritative
// for everything else. CPMU capabilities stay unknown ("needs BAR access").
CPMU_API DiscoveredFunction decode_function(const ConfigSpace& config, const PciFunctionInfo& info);

struct DiscoveryOptions {
  bool map_cpmus = true;             // read CPMU capabilities through map_bar
};

// Enumerates and decodes every function. Fails only if enumeration fails;
// per-function trouble lands in that function's problems.
CPMU_API Result<DiscoveredMachine> discover(Platform& platform, const DiscoveryOptions& options = {});

}  // namespace cpmu
