// Whether a CPMU's overflow interrupts can reach software: the interrupt
// goes out as message n (the Capability register's message number) of its
// function's MSI-X vectors (or, without MSI-X, MSI vectors), and a number
// beyond them cannot arrive. Discovery reports it as a problem of the
// function; the direct backend polls such a CPMU.
#pragma once

#include <string>

#include "cpmu/config_space.hpp"
#include "cpmu/cpmu_capabilities.hpp"

namespace cpmu::detail {

// The MSI-X table size, or the MSI vectors enabled; 0 without either.
unsigned interrupt_vectors(const ConfigSpace& config);

// Why the interrupts of CPMU `instance` cannot arrive, in words; empty when
// they can (or it has none).
std::string interrupt_routing_problem(const ConfigSpace& config, const CpmuCapabilities& caps, unsigned instance);

}  // namespace cpmu::detail
