// perf_pmu_cxl_device(), find_cxl_perf_pmu(): from a perf PMU to its CPMU
// through sysfs parents, never through the numbers in its name (memX
// follows probe order and can change between boots).
#include <charconv>
#include <filesystem>

#include "cpmu/perf_pmu.hpp"

namespace cpmu {

namespace fs = std::filesystem;

std::optional<PerfPmuCxlDevice> perf_pmu_cxl_device(const std::string& pmu_directory) {
  std::error_code ec;
  const fs::path real = fs::canonical(pmu_directory, ec);
  if (ec) return std::nullopt;
  const fs::path device = real.parent_path();
  const std::string name = device.filename().string();
  if (name.rfind("pmu_mem", 0) != 0) return std::nullopt;
  const auto dot = name.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  unsigned instance = 0;
  auto [end, err] = std::from_chars(name.data() + dot + 1, name.data() + name.size(), instance);
  if (err != std::errc() || end != name.data() + name.size() || dot + 1 == name.size()) return std::nullopt;
  auto function = PciAddress::parse(device.parent_path().filename().string());
  if (!function) return std::nullopt;
  return PerfPmuCxlDevice{name, *function, instance};
}

std::optional<std::string> find_cxl_perf_pmu(const std::string& event_source_root, const PciAddress& function,
                                             unsigned instance) {
  for (const std::string& name : list_perf_pmus(event_source_root)) {
    auto device = perf_pmu_cxl_device(event_source_root + "/devices/" + name);
    if (device && device->function == function && device->instance == instance) return name;
  }
  return std::nullopt;
}

}  // namespace cpmu
