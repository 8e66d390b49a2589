#include "cpmu/monitor.hpp"

#include "cpmu/cdat_context.hpp"

namespace cpmu {

SourceIdentity cpmu_identity(const DiscoveredMachine& machine, std::size_t function, const Cpmu& cpmu, const CdatContext* cdat) {
  const DiscoveredFunction& f = machine.functions.at(function);
  SourceIdentity identity;
  identity.name = CpmuName{f.info.address, cpmu.instance};
  identity.kind = f.kind;
  identity.memdev = f.memdev;
  identity.kernel_device = cpmu.kernel_device;
  identity.perf_pmu = cpmu.perf_pmu;
  if (const FunctionCdat* table = cdat ? cdat->find(function) : nullptr) {
    identity.cdat_ranges = table->ranges;
    identity.cdat_port_pairs = table->port_pairs;
  }
  return identity;
}

}  // namespace cpmu
