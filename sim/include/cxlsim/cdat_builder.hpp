// CDAT tables for simulated devices, held the way a DOE table-access
// responder serves them: one element per entry handle.
#pragma once

#include <cstdint>
#include <vector>

#include "cpmu/result.hpp"

namespace cpmu::sim {

// One DPA range of a memory device and its performance. Units follow HMAT
// (and so CDAT): latency in picoseconds, bandwidth in MB/s.
struct MemoryRangePerf {
  std::uint64_t dpa_base;
  std::uint64_t dpa_length;
  bool persistent;
  std::uint64_t read_latency_ps, write_latency_ps;
  std::uint64_t read_bandwidth_mbps, write_bandwidth_mbps;
};

// Performance between two ports of a switch; port_x is 0x0100 for the
// upstream port, otherwise a port number (CDAT SSLBIS port ids).
struct SwitchPortPerf {
  std::uint16_t port_x, port_y;
  std::uint64_t latency_ps;
  std::uint64_t bandwidth_mbps;
};

// Deliberate defects, so that CDAT consumers can be tested against them.
enum class CdatFault {
  kNone,
  kBadChecksum,          // the byte sum of the table is not 0
  kTruncatedStructure,   // the first structure is 4 bytes shorter than its length field says
  kDanglingHandle,       // the first DSLBIS names a DSMAS handle no DSMAS has (endpoint only)
  kBadHeaderLength,      // the header length is 4 more than the table's size
};

// A CDAT table as DOE serves it: entries[0] is the 16-byte header, entries[i]
// the i-th structure; entry handle i reads entries[i].
struct CdatEntries {
  std::vector<std::vector<std::uint8_t>> entries;

  // The entries back to back: the table as the kernel's CDAT attribute shows it.
  std::vector<std::uint8_t> bytes() const;
};

// Per range, in order, like QEMU's default table: DSMAS (handle = index),
// DSLBIS read latency, write latency, read bandwidth, write bandwidth, DSEMTS.
// Fails on no ranges, more than 256, empty or overlapping ranges, and zero
// performance values.
Result<CdatEntries> build_endpoint_cdat(const std::vector<MemoryRangePerf>& ranges,
                                      CdatFault fault = CdatFault::kNone);

// Two SSLBIS, access latency then access bandwidth, each listing every pair.
// Fails on no pairs, zero values, or values that no single base unit can
// hold exactly in 16-bit entries.
Result<CdatEntries> build_switch_cdat(const std::vector<SwitchPortPerf>& pairs,
                                    CdatFault fault = CdatFault::kNone);

}  // namespace cpmu::sim
