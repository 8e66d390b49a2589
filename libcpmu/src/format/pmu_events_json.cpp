#include "cpmu/pmu_events_json.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "cpmu/units.hpp"

namespace cpmu {

namespace {

// perf's metric expressions name the interval duration_time (seconds).
std::string perf_metric_expr(const std::string& formula) {
  static const std::regex kInterval(R"(\binterval\b)");
  return std::regex_replace(formula, kInterval, "duration_time");
}

// perf's ScaleUnit: a factor and the unit printed after the value.
std::string scale_unit(Unit unit) {
  const std::string_view symbol = unit_symbol(unit);
  return symbol.empty() ? std::string() : fmt::format("1{}", symbol);
}

}  // namespace

std::vector<PmuEventsFile> pmu_events_json(const EventCatalogue& catalogue, const std::string& arch) {
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  for (const EventInfo& event : catalogue.events()) {
    nlohmann::ordered_json e;
    e["EventName"] = event.name;
    e["BriefDescription"] = event.description;
    e["Unit"] = "cxl_pmu";
    e["ConfigCode"] = fmt::format("{:#x}", event.code.config());
    if (const std::string scale = scale_unit(event.unit); !scale.empty()) e["ScaleUnit"] = scale;
    events.push_back(std::move(e));
  }
  nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
  for (const MetricInfo& metric : catalogue.metrics()) {
    nlohmann::ordered_json m;
    m["MetricName"] = metric.name;
    m["BriefDescription"] = metric.description;
    m["MetricExpr"] = perf_metric_expr(metric.formula.text());
    m["MetricGroup"] = "cxl";
    if (const std::string scale = scale_unit(metric.unit); !scale.empty()) m["ScaleUnit"] = scale;
    metrics.push_back(std::move(m));
  }
  return {
      {arch + "/mapfile.csv", "Family-model,Version,Filename,EventType\n.*,1,cxl,core\n"},
      {arch + "/cxl/cxl-pmu.json", events.dump(4) + "\n"},
      {arch + "/cxl/cxl-metrics.json", metrics.dump(4) + "\n"},
  };
}

}  // namespace cpmu
