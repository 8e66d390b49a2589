// The terminal is always given back: SIGTERM, SIGINT and SIGHUP ask the
// main loop to end (which restores the screen the ordinary way); a crash
// signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) restores the terminal
// settings and leaves the alternate screen from the handler itself, with
// async-signal-safe calls only, then dies of the same signal.
#pragma once

namespace cpmu::top {

// Saves the terminal settings of standard input; installs the handlers.
void install_terminal_guard();
// Set once a terminating signal arrived: its number, else 0.
int termination_signal();
// Readable once a terminating signal arrived (for poll()).
int termination_fd();
// Whether the screen is in use, so a crash handler knows to restore it.
void set_screen_active(bool active);

}  // namespace cpmu::top
