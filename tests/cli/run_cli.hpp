// Test helper: runs the built cpmu binary and captures its output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

namespace cpmu::testing {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

inline CliRun run_command(const std::string& prefix, const std::string& args) {
  std::string err_file = "/tmp/cpmu-cli-test-" + std::to_string(::getpid()) + ".err";
  std::string command = prefix + std::string(CPMU_CLI_PATH) + " " + args + " 2>" + err_file;
  CliRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  std::size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), got);
  int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  run.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::remove(err_file.c_str());
  return run;
}

inline CliRun run_cpmu(const std::string& args) { return run_command("", args); }

// As user nobody, the way Linux treats any unprivileged reader (needs root).
inline CliRun run_cpmu_as_nobody(const std::string& args) {
  return run_command("setpriv --reuid=nobody --regid=nogroup --clear-groups ", args);
}

inline std::string qemu_dump(const std::string& topology) {
  return std::string(CPMU_FIXTURE_DIR) + "/qemu-cxl/dumps/" + topology + "/lspci-xxxx.txt";
}

}  // namespace cpmu::testing
