// Rendering of `cpmu cdat`: decoded CDAT tables and the performance they give
// each DPA range and switch port pair, as text (JSON: cpmu::json::encode_cdat).
#pragma once

#include <string>

#include "cpmu/cdat_context.hpp"
#include "cpmu/discovery.hpp"

namespace cpmu::cli {

std::string render_cdat_text(const DiscoveredMachine& machine, const CdatContext& context);

// 150 -> "150 ns"; 16000000000 -> "16 GB/s" (decimal units, as CDAT's MB/s).
std::string format_latency(std::uint64_t ns);
std::string format_bandwidth(std::uint64_t bytes_per_second);

}  // namespace cpmu::cli
