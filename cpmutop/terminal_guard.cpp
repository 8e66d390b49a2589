#include "terminal_guard.hpp"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <initializer_list>

namespace cpmu::top {

namespace {

volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_screen = 0;
int g_pipe[2] = {-1, -1};
struct termios g_saved;
bool g_have_saved = false;

// Normal attributes, the cursor shown, mouse reports off, the main screen back.
constexpr char kReset[] = "\033[0m\033[?1000l\033[?1002l\033[?1006l\033[?25h\033[?1049l\r\n";

void on_terminate(int sig) {
  g_signal = sig;
  const char byte = 1;
  if (g_pipe[1] >= 0) (void)!write(g_pipe[1], &byte, 1);
}

void on_crash(int sig) {
  if (g_screen) {
    if (g_have_saved) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
    (void)!write(STDOUT_FILENO, kReset, sizeof kReset - 1);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

void install_terminal_guard() {
  if (tcgetattr(STDIN_FILENO, &g_saved) == 0) g_have_saved = true;
  if (pipe(g_pipe) == 0) {
    for (int fd : g_pipe) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  struct sigaction terminate {};
  terminate.sa_handler = on_terminate;
  sigemptyset(&terminate.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &terminate, nullptr);
  struct sigaction crash {};
  crash.sa_handler = on_crash;
  sigemptyset(&crash.sa_mask);
  crash.sa_flags = SA_RESETHAND;
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &crash, nullptr);
}

int termination_signal() { return g_signal; }

int termination_fd() { return g_pipe[0]; }

void set_screen_active(bool active) { g_screen = active ? 1 : 0; }

}  // namespace cpmu::top
