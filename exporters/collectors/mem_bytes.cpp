// CXL.mem data moved, in bytes, read and write as separate families (a
// direction is never a label): 64 bytes per S2M DRS MemData (read data) and
// per M2S RwD MemWr/MemWrPtl (writes, a partial write counted as a line).
#include "collector.hpp"

namespace cpmu::exporter {

void collect_mem_bytes(const ScrapeContext& context, std::vector<MetricFamily>& out) {
  if (!context.snapshot) return;
  MetricFamily read{"cxl_mem_read_bytes",
                    MetricType::kCounter,
                    "bytes",
                    "CXL.mem read data returned by the device: 64 bytes per s2m_drs_memdata "
                    "(vid=0x1e98,gid=0x0025,mask=0x1).",
                    {}};
  MetricFamily write{"cxl_mem_write_bytes",
                     MetricType::kCounter,
                     "bytes",
                     "CXL.mem data written by the host: 64 bytes per m2s_rwd_memwr_all "
                     "(vid=0x1e98,gid=0x0021,mask=0x6); a partial write counts as a line.",
                     {}};
  for (std::size_t i = 0; i < context.view.series.size(); ++i) {
    const SeriesExport& s = context.view.series[i];
    if (s.bytes == ByteDirection::kNone) continue;
    const auto total = series_total(context, i);
    if (!total) continue;
    const SourceExport& source = context.view.sources[context.snapshot->series[i].info->source];
    MetricFamily& family = s.bytes == ByteDirection::kRead ? read : write;
    family.samples.push_back(
        {source.labels, MetricValue::of(total->value * kCxlLineBytes), static_cast<double>(s.created_wall_ns) / 1e9});
  }
  out.push_back(std::move(read));
  out.push_back(std::move(write));
}

}  // namespace cpmu::exporter
