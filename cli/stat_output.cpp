#include "stat_output.hpp"

namespace cpmu::cli {

RowFigures row_figures(const Snapshot& snapshot, const StatRow& row, bool interval) {
  RowFigures out;
  if (!row.series || *row.series >= snapshot.series.size()) return out;
  out.series = &snapshot.series[*row.series];
  out.cpmu = &snapshot.sources[out.series->info->source];
  out.figures = interval ? &out.series->interval : &out.series->total;
  out.cpmu_label = row.aggregate.empty() ? out.cpmu->identity->name.to_string() : row.aggregate;
  return out;
}

}  // namespace cpmu::cli
