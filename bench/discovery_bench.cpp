// Discovery speed: a simulated machine of 256 functions (a topology JSON
// made here: 16 root ports, each with a switch of 7 downstream ports and 7
// memory expanders, every function with a CPMU), a 260-function lspci -xxxx
// dump (QEMU 7.2's ten CXL functions of the "full" topology, repeated in 26
// PCI domains) through the dump backend, and decode_function() alone.
// bench/run compares `cpmu list --dump` with `lspci -vvv -F` on that dump.
//
// discovery_bench --write-dump FILE writes that dump and exits.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cpmu/discovery.hpp"
#include "cpmu/platform.hpp"
#include "cpmu/topology.hpp"
#include "cxlsim/sim_platform.hpp"

namespace {

constexpr unsigned kDomains = 26;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Each function of the QEMU dump that is not on bus 00 (q35's own devices),
// once per domain 1..kDomains.
std::string make_dump() {
  std::string source = read_file(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/full/lspci-xxxx.txt");
  std::vector<std::string> blocks;
  for (std::size_t at = 0; at < source.size();) {
    std::size_t end = source.find("\n\n", at);
    if (end == std::string::npos) end = source.size();
    std::string block = source.substr(at, end - at);
    if (!block.empty() && block.compare(0, 3, "00:") != 0) blocks.push_back(block);
    at = end + 2;
  }
  std::string dump;
  for (unsigned domain = 1; domain <= kDomains; ++domain) {
    for (const auto& block : blocks) dump += fmt::format("{:04x}:{}\n\n", domain, block);
  }
  return dump;
}

const std::string& dump_path() {
  static const std::string path = [] {
    std::string p = fmt::format("/tmp/cpmu-discovery-bench-{}.txt", ::getpid());
    std::ofstream(p) << make_dump();
    return p;
  }();
  return path;
}

std::unique_ptr<cpmu::Platform> open_dump() {
  cpmu::PlatformSource options;
  options.backend = "dump";
  options.dump_file = dump_path();
  auto platform = cpmu::open_platform(options);
  if (!platform) {
    fmt::print(stderr, "discovery_bench: {}\n", platform.error().message());
    std::exit(1);
  }
  return std::move(*platform);
}

constexpr unsigned kRootPorts = 16;
constexpr unsigned kPortsPerSwitch = 7;

std::string sim_topology_json() {
  const std::string cpmu = R"({"width": 48, "event_caps": [{"vid": "0x1e98", "gid": "0x0000", "mask": "0x1"},
      {"vid": "0x1e98", "gid": "0x0020", "mask": "0x1f"}], "counters": [{"kind": "fixed", "cap": 0, "mask": "0x1"},
      {"kind": "configurable"}, {"kind": "configurable"}, {"kind": "configurable"}], "interrupt": true, "msi": 1,
      "freeze": true, "writable_when_frozen": true})";
  std::string ports;
  for (unsigned rp = 0; rp < kRootPorts; ++rp) {
    std::string downstream;
    for (unsigned p = 0; p < kPortsPerSwitch; ++p) {
      downstream += fmt::format(
          R"({}{{"port": {}, "link": {{"speed_gts": 32, "width": 8}}, "cpmus": [{}],
              "endpoint": {{"serial": {}, "memory": [{{"size": "256M"}}], "cpmus": [{}]}}}})",
          p ? "," : "", p, cpmu, 0x1000 + rp * kPortsPerSwitch + p, cpmu);
    }
    ports += fmt::format(
        R"({}{{"device": {}, "port": {}, "link": {{"speed_gts": 32, "width": 16}}, "cpmus": [{}],
            "switch": {{"upstream_port": {{"cpmus": [{}]}}, "downstream_ports": [{}]}}}})",
        rp ? "," : "", rp, rp, cpmu, cpmu, downstream);
  }
  return fmt::format(R"({{"schema_version": 1, "host_bridges": [{{"domain": 0, "root_bus": 1, "root_ports": [{}]}}]}})",
                     ports);
}

// 16 x (root port + USP + 7 DSPs + 7 endpoints) = 256 functions, 256 CPMUs,
// each CPMU's capabilities read through map_bar.
void BM_DiscoverSim256(benchmark::State& state) {
  auto spec = cpmu::sim::parse_topology(sim_topology_json(), "discovery_bench");
  if (!spec) {
    state.SkipWithError(spec.error().message().c_str());
    return;
  }
  auto platform = cpmu::sim::open_sim_platform(*spec, cpmu::sim::ClockMode::kVirtual);
  if (!platform) {
    state.SkipWithError(platform.error().message().c_str());
    return;
  }
  std::size_t functions = 0, cpmus = 0;
  for (auto _ : state) {
    auto machine = cpmu::discover(**platform);
    auto topology = cpmu::build_topology(*machine);
    functions = machine->functions.size();
    cpmus = 0;
    for (const auto& fn : machine->functions) cpmus += fn.cpmus.size();
    benchmark::DoNotOptimize(topology);
  }
  state.counters["functions"] = static_cast<double>(functions);
  state.counters["cpmus"] = static_cast<double>(cpmus);
}
BENCHMARK(BM_DiscoverSim256)->Unit(benchmark::kMillisecond);

// Reading and parsing the dump file: what lspci -F pays too, in libpci's reader.
void BM_DumpOpen260(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(open_dump());
}
BENCHMARK(BM_DumpOpen260)->Unit(benchmark::kMillisecond);

// Discovery proper over an opened dump: config reads, decoding, topology.
void BM_DumpDiscover260(benchmark::State& state) {
  auto platform = open_dump();
  std::size_t functions = 0;
  for (auto _ : state) {
    auto machine = cpmu::discover(*platform);
    auto topology = cpmu::build_topology(*machine);
    functions = machine->functions.size();
    benchmark::DoNotOptimize(topology);
  }
  state.counters["functions"] = static_cast<double>(functions);
}
BENCHMARK(BM_DumpDiscover260)->Unit(benchmark::kMillisecond);

void BM_DecodeType3(benchmark::State& state) {
  std::string bytes = read_file(std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/full/cxl-type3_0d-00.0.config.bin");
  std::vector<std::uint8_t> config(bytes.begin(), bytes.end());
  for (auto _ : state) benchmark::DoNotOptimize(cpmu::decode_function(cpmu::ConfigSpace(config), {}));
}
BENCHMARK(BM_DecodeType3);

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write-dump") == 0) {
    std::ofstream(argv[2]) << make_dump();
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::remove(dump_path().c_str());
  return 0;
}
