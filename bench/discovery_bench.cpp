// Discovery speed: a 260-function lspci -xxxx dump (QEMU 7.2's ten CXL
// functions of the "full" topology, repeated in 26 PCI domains) through the
// dump backend, and decode_function() alone. bench/run compares
// `cpmu list --dump` with `lspci -vvv -F` on the same dump, as a ratio.
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

namespace {

constexpr unsigned kDomains = 26;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Each function of the QEMU dump that is not on bus 00 (q35's own devices),
// once per domain 1..kDomains.
std::string make_dump() {
  std::string source = read_file(std::string(CPMU_SHARED_DIR) + "/qemu-cxl/dumps/full/lspci-xxxx.txt");
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
  cpmu::PlatformOptions options;
  options.backend = "dump";
  options.dump_file = dump_path();
  auto platform = cpmu::open_platform(options);
  if (!platform) {
    fmt::print(stderr, "discovery_bench: {}\n", platform.error().message());
    std::exit(1);
  }
  return std::move(*platform);
}

// Parsing the dump file (libpci's dump method): what lspci -F also pays.
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
  std::string bytes = read_file(std::string(CPMU_SHARED_DIR) + "/qemu-cxl/dumps/full/cxl-type3_0d-00.0.config.bin");
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
