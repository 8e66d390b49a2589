#!/usr/bin/env python3
"""cpmutop in a real terminal: tmux sessions of 80x24 on the simulated machine.

Each scenario starts cpmutop in a detached tmux server of its own, types
keys with send-keys and asserts on what capture-pane shows. Every wait polls
for its condition (generous timeouts: the build machine is loaded), so no
scenario sleeps a fixed time to pass.
  usage: tui_session_test.py CPMUTOP SCENARIO
Exit 0: passed; 1: failed (the last screen is printed); 77: no tmux.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 40


class Fail(Exception):
    pass


class Session:
    count = 0

    def __init__(self, binary, args, env=None, width=80, height=24):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cpmutop-tui-"))
        # A server of its own per session: one being killed never takes the next one's commands.
        Session.count += 1
        self.socket = f"cpmutop-test-{os.getpid()}-{Session.count}"
        self.env = {"XDG_CONFIG_HOME": str(self.dir / "config"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                    "TERM": "screen"}
        self.env.update(env or {})
        exports = " ".join(f"{k}={v}" for k, v in self.env.items())
        command = f"env {exports} {binary} {args}; echo EXIT=$?; sleep 600"
        self.tmux("new-session", "-d", "-x", str(width), "-y", str(height), "-s", "t", command)

    def tmux(self, *args, check=True):
        run = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                             timeout=30)
        if check and run.returncode != 0:
            raise Fail(f"tmux {' '.join(args)}: {run.stderr.strip()}")
        return run.stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "t")

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def text(self, text):
        self.tmux("send-keys", "-t", "t", "-l", text)

    def wait(self, what, predicate, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            found = predicate(screen)
            if found:
                return found
            if time.monotonic() > deadline:
                raise Fail(f"timed out waiting for {what}; the screen:\n{screen}")
            time.sleep(0.2)

    def wait_text(self, pattern, timeout=TIMEOUT):
        return self.wait(repr(pattern), lambda s: re.search(pattern, s, re.M), timeout)

    def stop(self):
        self.tmux("kill-server", check=False)
        socket = pathlib.Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}" / self.socket
        socket.unlink(missing_ok=True)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def sequence(screen):
    m = re.search(r"seq (\d+)", screen)
    return int(m.group(1)) if m else None


def totals(screen):
    m = re.search(r"^CXL\.mem .*$", screen, re.M)
    return m.group(0) if m else None


def row(screen, name):
    m = re.search(rf"^.*{re.escape(name)}.*$", screen, re.M)
    return m.group(0) if m else None


SCALE = {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def value(cell):
    m = re.fullmatch(r"([0-9.]+)([kKMGT]?)", cell)
    return float(m.group(1)) * SCALE[m.group(2)] if m else None


# --- scenarios: each gets the binary and returns nothing or raises Fail ---

def numbers_move(binary):
    s = Session(binary, "--sim -d 3")
    try:
        s.wait_text(r"0000:0d:00\.0 USP")
        s.wait_text(r"pci0000:0c")
        s.wait("a first frame", lambda x: (sequence(x) or 0) >= 2)
        first = totals(s.screen())
        s.wait("the totals to change", lambda x: totals(x) and totals(x) != first)
        s.wait_text(r"F10Quit")
    finally:
        s.close()


def saturating_link(binary):
    s = Session(binary, "--sim -d 5")
    try:
        # 3 s of every 7 the expander behind downstream port 2 writes near its CDAT bandwidth.
        s.wait("the saturated flag on 0000:11:00.0", lambda x: re.search(r"0000:11:00\.0 EP.*\bS", x), timeout=60)
        s.wait("a meter at 90% or more", lambda x: any(float(v) >= 90 for v in re.findall(r"([0-9.]+)%\]", x)))
    finally:
        s.close()


def sort_and_invert(binary):
    s = Session(binary, "--sim -d 5")
    try:
        s.wait_text(r"USP")
        s.keys("t")   # flat list
        s.wait_text(r"^0000:0c:00\.0/0 RP")
        s.keys(">")
        s.wait_text(r"Sorted by READ/s")
        s.wait_text(r"READ/sv")

        def ordered(screen, descending):
            cells = []
            for line in screen.splitlines():
                m = re.match(r"^\S+/\d \S+\s+(\S+)", line)
                if m and value(m.group(1)) is not None:
                    cells.append(value(m.group(1)))
            if len(cells) < 3:
                return False
            return cells == sorted(cells, reverse=descending)
        s.wait("rows in descending READ order", lambda x: ordered(x, True))
        s.keys("I")
        s.wait_text(r"READ/s\^")
        s.wait("rows in ascending READ order", lambda x: ordered(x, False))
    finally:
        s.close()


def filter_rows(binary):
    s = Session(binary, "--sim -d 5")
    try:
        s.wait_text(r"0000:13:00\.0 EP")
        s.keys("F4")
        s.text("0e:01")
        s.wait_text(r"Filter: 0e:01_")
        s.keys("Enter")
        s.wait("only the 0e:01.0 branch", lambda x: "0000:10:00.0 EP" in x and "0000:13:00.0" not in x
               and "0000:0f:00.0" not in x and "0000:0d:00.0 USP" in x)
        s.keys("Escape")
        s.wait_text(r"0000:13:00\.0 EP")
    finally:
        s.close()


def search_and_detail(binary):
    s = Session(binary, "--sim -d 3")
    try:
        s.wait_text(r"0000:13:00\.0 EP")
        s.keys("/")
        s.text("0d:00.0/0")
        s.keys("Enter")
        s.keys("Enter")
        s.wait_text(r"Detail: 0000:0d:00\.0/0")
        s.wait_text(r"^s2m_drs_memdata")
        s.wait_text(r"Capabilities: 5 counters")
        s.wait_text(r"CDAT port")
        s.wait_text(r"^Plan:")
        # The history graph fills and the total grows.
        t1 = s.wait("a total", lambda x: re.search(r"^s2m_drs_memdata\s+([0-9,]+)", x, re.M)).group(1)
        s.wait("the total to grow", lambda x: (m := re.search(r"^s2m_drs_memdata\s+([0-9,]+)", x, re.M))
               and int(m.group(1).replace(",", "")) > int(t1.replace(",", "")))
        s.wait("a sparkline", lambda x: re.search(r"^s2m_drs_memdata.*[\u2581-\u2588]{3}", x, re.M))
        s.keys("Escape")
        s.wait_text(r"COMPONENT")
        s.keys("/")
        s.text("nothing-like-this")
        s.keys("Enter")
        s.wait_text(r"no row matches 'nothing-like-this'")
    finally:
        s.close()


def change_events(binary):
    s = Session(binary, "--sim -d 3")
    try:
        s.wait_text(r"0000:13:00\.0 EP")
        s.keys("/")
        s.text("0c:00.0/0")
        s.keys("Enter", "Enter")
        s.wait_text(r"Detail: 0000:0c:00\.0/0")
        s.keys("e")
        s.wait_text(r"Events for 0000:0c:00\.0/0")
        s.wait_text(r"^\[ \] clock_ticks\s+fixed counter 0")
        s.keys(" ")
        s.wait_text(r"^\[x\] clock_ticks")
        s.keys("Enter")
        s.wait("clock_ticks counted", lambda x: re.search(r"^clock_ticks\s+[0-9,]+\s+[0-9.]+[kMG]?/s", x, re.M))
        rc = (s.dir / "config" / "cpmu" / "cpmutoprc").read_text()
        if not re.search(r"^events\.0000:0c:00\.0/0=.*clock_ticks", rc, re.M):
            raise Fail(f"the choice is not in the rc file:\n{rc}")
    finally:
        s.close()


def setup_saved_and_reloaded(binary):
    s = Session(binary, "--sim -d 5")
    config = s.dir / "config"
    try:
        s.wait_text(r"UTIL%")
        s.keys("F2")
        s.wait_text(r"^Setup")
        s.keys("Down", "Down", "Down")   # read, write, requests, util
        s.keys(" ")
        s.wait_text(r"\[ \] column UTIL%")
        s.keys("Escape")
        s.wait_text(r"Setup saved to")
        s.wait("no UTIL% column", lambda x: "COMPONENT" in x and "UTIL%" not in x)
        s.keys("q")
        s.wait_text(r"EXIT=0")
    finally:
        s.stop()
    rc = (config / "cpmu" / "cpmutoprc").read_text()
    if "columns=read,write,requests,events,flags" not in rc:
        raise Fail(f"rc file: {rc}")
    again = Session(binary, "--sim -d 5", env={"XDG_CONFIG_HOME": str(config)})
    try:
        again.wait("the saved setup", lambda x: "COMPONENT" in x and "WRITE/s" in x and "UTIL%" not in x)
    finally:
        again.close()
    (config / "cpmu" / "cpmutoprc").write_text("columns=read,bogus\n")
    # Wide enough for the whole message with its temporary path.
    corrupt = Session(binary, "--sim -d 5", env={"XDG_CONFIG_HOME": str(config)}, width=160)
    try:
        corrupt.wait_text(r"cpmutoprc:1: unknown column 'bogus'; the file is ignored")
        corrupt.wait("the defaults", lambda x: "UTIL%" in x)
    finally:
        corrupt.close()
    shutil.rmtree(s.dir, ignore_errors=True)


def setup_events_per_kind(binary):
    s = Session(binary, "--sim -d 3")
    try:
        s.wait_text(r"0000:13:00\.0 EP")
        s.keys("F2")
        s.wait_text(r"events endpoint: s2m_drs_memdata,m2s_rwd_memwr_all,m2s_req_all")
        for _ in range(13):
            s.keys("Down")
        s.keys("Enter")
        s.wait_text(r"m2s_rwd_memwr_all,m2s_req_all_$")
        s.text(",clock_ticks")
        s.keys("Enter")
        s.wait_text(r"events endpoint: s2m_drs_memdata,m2s_rwd_memwr_all,m2s_req_all,clock_ticks")
        s.keys("Escape")
        s.wait_text(r"Setup saved to")
        rc = (s.dir / "config" / "cpmu" / "cpmutoprc").read_text()
        if "events.endpoint=s2m_drs_memdata,m2s_rwd_memwr_all,m2s_req_all,clock_ticks" not in rc:
            raise Fail(f"rc file: {rc}")
        # Re-planned live: an endpoint's CPMU now counts its clock too.
        s.keys("/")
        s.text("13:00.0/0")
        s.keys("Enter", "Enter")
        s.wait_text(r"Detail: 0000:13:00\.0/0")
        s.wait("clock_ticks counted on the endpoint", lambda x: re.search(r"^clock_ticks\s+[0-9,]+\s+[0-9.]+[kMG]?/s", x, re.M))
    finally:
        s.close()


def resize(binary):
    s = Session(binary, "--sim -d 5")
    try:
        s.wait_text(r"F10Quit")
        s.tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")
        s.wait("a wider table with EVENTS", lambda x: "EVENTS" in x and len(x.splitlines()[0]) > 80)
        s.tmux("resize-window", "-t", "t", "-x", "60", "-y", "16")
        s.wait("a narrow screen still drawn", lambda x: "COMPONENT" in x and "F1Help" in x
               and max(len(l) for l in x.splitlines()) <= 60)
        s.tmux("resize-window", "-t", "t", "-x", "80", "-y", "24")
        s.wait_text(r"F10Quit")
    finally:
        s.close()


def pause(binary):
    s = Session(binary, "--sim -d 2")
    try:
        s.wait("frames", lambda x: (sequence(x) or 0) >= 2)
        s.keys("p")
        s.wait_text(r"\[PAUSED\]")
        frozen = sequence(s.screen())
        time.sleep(1.5)   # several frames' time: the screen must not move
        if sequence(s.screen()) != frozen:
            raise Fail("the screen moved while paused:\n" + s.screen())
        s.keys("p")
        s.wait("frames again", lambda x: "[PAUSED]" not in x and (sequence(x) or 0) > frozen)
    finally:
        s.close()


def quit_and_signals(binary):
    for keys, status in ((["q"], 0), (["F10"], 0)):
        s = Session(binary, "--sim -d 5")
        try:
            s.wait_text(r"COMPONENT")
            s.keys(*keys)
            s.wait_text(rf"EXIT={status}")
            s.wait("the normal screen back", lambda x: "COMPONENT" not in x)
        finally:
            s.close()
    for signal, status in (("TERM", 143), ("HUP", 129), ("INT", 130), ("SEGV", 139)):
        s = Session(binary, "--sim -d 5")
        try:
            s.wait_text(r"COMPONENT")
            pid = s.tmux("list-panes", "-t", "t", "-F", "#{pane_pid}").strip()
            child = subprocess.run(["pgrep", "-P", pid, "-x", "cpmutop"], capture_output=True, text=True)
            if not child.stdout.strip():
                child = subprocess.run(["pgrep", "-P", pid], capture_output=True, text=True)
            target = child.stdout.split()[0]
            # env execs cpmutop, so the pane's child is cpmutop itself.
            os.kill(int(target), getattr(__import__("signal"), "SIG" + signal))
            s.wait_text(rf"EXIT={status}")
            s.wait("the terminal restored", lambda x: "COMPONENT" not in x)
        finally:
            s.close()


def fault_mid_run(binary):
    topology = json.loads((pathlib.Path(__file__).resolve().parents[2] / "sim/topologies/default.json").read_text())
    port = topology["host_bridges"][0]["root_ports"][0]["switch"]["downstream_ports"][1]
    port["endpoint"]["faults"] = {"surprise_removal": {"at_ms": 4000}}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(topology, f)
    s = Session(binary, f"--topology {f.name} -d 3")
    try:
        s.wait_text(r"0000:10:00\.0 EP")
        before = s.wait("a frame before the fault", lambda x: sequence(x) and row(x, "0000:0f:00.0 EP"))
        s.wait("the removed device flagged !", lambda x: re.search(r"0000:10:00\.0 EP.*!", x), timeout=60)
        flagged = s.screen()
        s.wait("the others still counting", lambda x: sequence(x) > sequence(flagged)
               and totals(x) != totals(flagged) and "!" not in (row(x, "0000:0f:00.0 EP") or "!"))
        del before
    finally:
        s.close()
        os.unlink(f.name)


def ascii_and_no_color(binary):
    s = Session(binary, "--sim -d 5", env={"LANG": "C", "LC_ALL": "C", "NO_COLOR": "1"})
    try:
        s.wait_text(r"^\|-0000:0c:00\.0 RP")
        s.wait_text(r"^\| `-0000:0d:00\.0 USP")
        colours = s.tmux("capture-pane", "-p", "-e", "-t", "t")
        if re.search(r"\x1b\[(3[0-7]|4[0-7])m", colours):
            raise Fail("colour escapes with NO_COLOR set")
        # The detail view's history graph and capabilities in ASCII too.
        s.keys("/")
        s.text("0d:00.0/0")
        s.keys("Enter", "Enter")
        s.wait_text(r"Capabilities: 5 counters x 48 bit")
        s.wait("an ASCII history graph", lambda x: re.search(r"^s2m_drs_memdata.*[.:=+*#@-]{3}\s*$", x, re.M)
               and not re.search(r"[^\x00-\x7f]", x))
    finally:
        s.close()


def mouse(binary):
    s = Session(binary, "--sim -d 5")
    try:
        s.wait_text(r"READ/s")
        header = s.wait("the header", lambda x: next((i for i, l in enumerate(x.splitlines()) if "COMPONENT" in l), None))
        line = s.screen().splitlines()[header]
        x = line.index("WRITE/s") + 2
        # An xterm mouse press and release (X10 encoding) at the WRITE/s title.
        for button in (0, 3):
            s.tmux("send-keys", "-t", "t", "-H", "1b", "5b", "4d", f"{32 + button:x}", f"{33 + x:x}", f"{33 + header:x}")
        s.wait_text(r"Sorted by WRITE/s")
    finally:
        s.close()


SCENARIOS = {f.__name__: f for f in (numbers_move, saturating_link, sort_and_invert, filter_rows, search_and_detail,
                                     change_events, setup_saved_and_reloaded, setup_events_per_kind, resize, pause, quit_and_signals,
                                     fault_mid_run, ascii_and_no_color, mouse)}


def main():
    if shutil.which("tmux") is None:
        print("tui_session_test: tmux is not installed; skipping")
        return 77
    binary, name = sys.argv[1], sys.argv[2]
    try:
        SCENARIOS[name](binary)
    except Fail as e:
        print(f"{name}: FAIL: {e}")
        return 1
    print(f"{name}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
