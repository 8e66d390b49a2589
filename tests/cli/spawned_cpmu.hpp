// Test helper: the built cpmu running in the background, its standard
// output on a pipe the test reads line by line, so that the test can act
// (signal it, kill it) at a known point of its run.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

extern char** environ;

namespace cpmu::testing {

class SpawnedCpmu {
 public:
  // `env`: NAME=VALUE entries added to (or replacing) the test's environment.
  SpawnedCpmu(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::vector<std::string> argv_text = {CPMU_CLI_PATH};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text = env;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      const std::string name = entry.substr(0, entry.find('='));
      bool replaced = false;
      for (const std::string& added : env) replaced = replaced || added.substr(0, added.find('=')) == name;
      if (!replaced) env_text.push_back(entry);
    }
    std::vector<char*> envp;
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    EXPECT_EQ(::posix_spawn(&pid_, CPMU_CLI_PATH, &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ~SpawnedCpmu() {
    if (out_ != nullptr) std::fclose(out_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  SpawnedCpmu(const SpawnedCpmu&) = delete;
  SpawnedCpmu& operator=(const SpawnedCpmu&) = delete;

  pid_t pid() const { return pid_; }

  // Reads standard output until a line containing `text` (or the end); true if found.
  bool wait_for(const std::string& text) {
    char line[4096];
    while (out_ != nullptr && std::fgets(line, sizeof line, out_) != nullptr) {
      output_ += line;
      if (std::string(line).find(text) != std::string::npos) return true;
    }
    return false;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // Stops reading: from now on a write to standard output fails with EPIPE.
  void close_output() {
    if (out_ != nullptr) std::fclose(out_);
    out_ = nullptr;
  }
  // The wait status, after reading the rest of standard output.
  int finish() {
    wait_for("\x01");  // no line has it: reads to the end
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::FILE* out_ = nullptr;
  std::string output_;
};

}  // namespace cpmu::testing
