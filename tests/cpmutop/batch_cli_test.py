#!/usr/bin/env python3
"""cpmutop without a screen: batch frames, --json, record then replay, every
kind of bad recording, bad options, a corrupt rc file, no hardware, nothing
listening at --connect.
  usage: batch_cli_test.py CPMUTOP SCENARIO
Exit 0: passed; 1: failed.
"""
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile


class Fail(Exception):
    pass


def run(binary, *args, env=None, timeout=120):
    environment = dict(os.environ, LC_ALL="C.UTF-8")
    environment.update(env or {})
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout, env=environment)


def expect(cond, what, result=None):
    if not cond:
        extra = f"\nexit {result.returncode}\nstdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr}" if result else ""
        raise Fail(what + extra)


def batch_frames(binary, tmp):
    r = run(binary, "--sim", "-b", "-n", "3", "-d", "2", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(r.returncode == 0, "batch run failed", r)
    frames = [f for f in r.stdout.split("\n\n") if f.strip()]
    expect(len(frames) == 3, f"expected 3 frames, found {len(frames)}", r)
    for i, frame in enumerate(frames, 1):
        expect(re.search(rf"^cpmutop - simulated .* seq {i} ", frame, re.M), f"frame {i} has no status line", r)
        expect("CXL.mem read" in frame and "0000:0d:00.0 USP" in frame, f"frame {i} has no tree", r)
    # --json: each frame is one snapshot document; the text frames show its numbers.
    r = run(binary, "--sim", "-b", "--json", "-n", "2", "-d", "2", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(r.returncode == 0, "--json run failed", r)
    docs = [json.loads(l) for l in r.stdout.splitlines()]
    expect(len(docs) == 2 and all(d["type"] == "snapshot" and d["schema_version"] == 2 for d in docs),
           "not two snapshot documents", r)
    expect(all(s.get("upstream") and s["upstream"][0] == "pci0000:0c" for s in docs[0]["sources"]),
           "a source without its upstream chain", r)
    # Alerts print in batch mode.
    r = run(binary, "--sim", "-b", "-n", "1", "-d", "2", "--alert", "util>1", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(r.returncode == 0 and re.search(r"^ALERT 0000:0d:00\.0/0: util>1 \([0-9.]+%\)$", r.stdout, re.M),
           "no ALERT line for the switch", r)


def record_replay(binary, tmp):
    recording = tmp / "run.jsonl"
    r = run(binary, "--sim", "-b", "--json", "-n", "4", "-d", "2", "--record", str(recording),
            env={"XDG_CONFIG_HOME": str(tmp)})
    expect(r.returncode == 0, "recording run failed", r)
    lines = recording.read_text().splitlines()
    expect(len(lines) == 5, f"expected a header and 4 frames, found {len(lines)} lines", r)
    header = json.loads(lines[0])
    expect(header["type"] == "recording" and header["source"] == "simulated" and header["interval_ns"] == 200_000_000
           and header["machine"]["type"] == "machine", f"header: {lines[0][:300]}")
    expect(lines[1:] == r.stdout.splitlines(), "the recording differs from the frames shown")
    # A replay shows exactly the recorded numbers: the same documents, and
    # the same text frames as a replay of the same lines.
    replay = run(binary, "--replay", str(recording), "--speed", "100", "-b", "--json", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(replay.returncode == 0, "replay failed", replay)
    expect(replay.stdout.splitlines() == lines[1:], "replayed frames differ from the recorded ones", replay)
    text = run(binary, "--replay", str(recording), "--speed", "100", "-b", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(text.returncode == 0 and text.stdout.count("cpmutop - recording") == 4, "text replay", text)
    frame = json.loads(lines[2])
    usp = next(i for i, s in enumerate(frame["sources"]) if s["name"] == "0000:0d:00.0/0")
    read = next(m["interval_value"] for m in frame["metrics"] if m["source"] == usp and m["name"] == "read_bandwidth")
    second = text.stdout.split("\n\n")[1]
    shown = re.search(r"^.*?0000:0d:00\.0 USP\s+(\S+)", second, re.M).group(1)
    m = re.fullmatch(r"([0-9.]+)([kMGT]?)", shown)
    scale = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}[m.group(2)]
    expect(abs(float(m.group(1)) * scale - read) <= 0.05 * scale + 1e-9,
           f"the USP's READ {shown} is not the recorded read_bandwidth {read}")
    # A paced replay takes the recorded time: 3 gaps of 0.2 s at speed 1 take at least 0.5 s.
    import time
    start = time.monotonic()
    run(binary, "--replay", str(recording), "-b", "--json", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(time.monotonic() - start >= 0.5, "a replay at speed 1 was not paced")


def bad_recordings(binary, tmp):
    good = (tmp / "good.jsonl")
    r = run(binary, "--sim", "-b", "-n", "3", "-d", "1", "--record", str(good), env={"XDG_CONFIG_HOME": str(tmp)})
    expect(r.returncode == 0, "recording run failed", r)
    lines = good.read_text().splitlines()
    newer = json.loads(lines[0])
    newer["schema_version"] = 3
    # A frame cut short with more frames after it: not a truncated file but a garbled line.
    garbled = lines[2][: len(lines[2]) // 2]
    cases = {
        "empty": ("", r"empty\.jsonl: not a cpmu recording: the file is empty"),
        "not_json": ("time,bytes\n1,2\n", r"not_json\.jsonl:1: not a cpmu recording: the first line is not JSON"),
        "newer": (json.dumps(newer) + "\n" + lines[1] + "\n", r"newer\.jsonl:1: the recording is schema_version 3, newer"),
        "truncated": ("\n".join(lines[:3]) + "\n" + lines[3][:100], r"truncated\.jsonl:4: truncated frame"),
        "garbled": ("\n".join([lines[0], lines[1], garbled, lines[3]]) + "\n", r"garbled\.jsonl:3: garbled frame"),
        "frames_only": ("\n".join(lines[1:]) + "\n", r"frames_only\.jsonl:1: not a cpmu recording: the first line is a 'snapshot'"),
        "header_only": (lines[0] + "\n", r"header_only\.jsonl: the recording has no frames"),
        "binary": ("\x00\x01\x02\xff\n", r"binary\.jsonl:1: not a cpmu recording"),
    }
    for name, (text, message) in cases.items():
        path = tmp / f"{name}.jsonl"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        r = run(binary, "--replay", str(path), "--speed", "100", "-b", env={"XDG_CONFIG_HOME": str(tmp)}, timeout=60)
        expect(r.returncode == 1, f"{name}: expected exit 1", r)
        expect(re.search(message, r.stderr), f"{name}: expected /{message}/ on stderr", r)
        expect(len(r.stderr.strip().splitlines()) == 1, f"{name}: expected one line on stderr", r)
    missing = run(binary, "--replay", str(tmp / "nothing.jsonl"), "-b")
    expect(missing.returncode == 1 and "nothing.jsonl: cannot open the recording" in missing.stderr, "missing file", missing)


def bad_options(binary, tmp):
    for args, message in ((["--bogus"], r"--bogus"), (["-d", "0"], r"--delay"), (["-d", "abc"], r"--delay"),
                          (["-n", "0"], r"--iterations"), (["-n", "x"], r"--iterations"), (["--json"], r"--json needs -b"),
                          (["--alert", "util>>3", "--sim"], r"--alert 'util>>3'"),
                          (["--alert", "speed>1", "--sim"], r"unknown column 'speed'"),
                          (["--speed", "2", "--sim"], r"--speed"), (["--replay", "x", "--sim"], r"shows no machine"),
                          (["--connect", "ftp://x", "-b"], r"expected an http:// or https:// URL")):
        r = run(binary, *args, timeout=30)
        expect(r.returncode == 2, f"{args}: expected exit 2", r)
        expect(re.search(message, r.stderr) and len(r.stderr.strip().splitlines()) == 1,
               f"{args}: expected one line naming /{message}/", r)
    help_text = run(binary, "--help")
    expect(help_text.returncode == 0 and "--replay" in help_text.stdout, "--help", help_text)
    r = run(binary, "--sim", timeout=30)
    expect(r.returncode == 2 and "needs a terminal" in r.stderr, "without a terminal", r)


def no_hardware(binary, tmp):
    empty = tmp / "sysfs"
    (empty / "devices").mkdir(parents=True)
    r = run(binary, "--sysfs", str(empty), "-b", "-n", "1", timeout=30)
    expect(r.returncode == 1, "expected exit 1", r)
    expect(len(r.stderr.strip().splitlines()) == 1 and "--sim" in r.stderr, "expected one line pointing to --sim", r)


def corrupt_rc(binary, tmp):
    rc = tmp / "cpmu" / "cpmutoprc"
    rc.parent.mkdir(parents=True)
    rc.write_text("sort=read\ndelay=forever\n")
    r = run(binary, "--sim", "-b", "-n", "1", "-d", "2", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(r.returncode == 0, "a corrupt rc file must not be fatal", r)
    expect(f"{rc}:2: delay must be 1..36000 tenths of a second, not 'forever'; the file is ignored" in r.stderr,
           "the corrupt rc file not reported", r)
    rc.write_text("tree=0\n")
    r = run(binary, "--sim", "-b", "-n", "1", "-d", "2", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(r.returncode == 0 and "pci0000:0c" not in r.stdout and re.search(r"^0000:0c:00\.0/0 RP", r.stdout, re.M),
           "tree=0 from the rc file not applied", r)


def connect_nothing(binary, tmp):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()   # nothing listens there now
    r = run(binary, "--connect", f"http://127.0.0.1:{port}", "-b", "-n", "1", timeout=60)
    expect(r.returncode == 1, "expected exit 1", r)
    expect(len(r.stderr.strip().splitlines()) == 1 and "nothing answers" in r.stderr and "cpmu-exporter" in r.stderr,
           "expected one clear line", r)


def man_page(binary, tmp):
    page = (pathlib.Path(__file__).resolve().parents[2] / "man" / "cpmutop.1.md").read_text()
    help_text = run(binary, "--help").stdout
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text))
    expect(len(options) > 10, f"too few options in --help: {options}")
    for option in sorted(options):
        expect(f"**{option}**" in page, f"cpmutop.1.md does not document {option}")


def connect_feed(binary, tmp):
    """A stand-in for cpmu-exporter's /json (Python's http.server): cpmutop
    shows its snapshots, asks for a password when told to, and says what
    answered when it is not a snapshot."""
    import base64
    import http.server
    import threading
    r = run(binary, "--sim", "-b", "--json", "-n", "3", "-d", "2", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(r.returncode == 0, "recording run failed", r)
    frames = r.stdout.splitlines()
    served = {"n": 0}

    class Exporter(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/secret/") and self.headers.get("Authorization") != "Basic " + base64.b64encode(b"ops:pw").decode():
                self.send_response(401)
                self.end_headers()
                return
            if self.path.endswith("/bad/json"):
                body = b"<html>not a snapshot</html>"
            elif self.path.endswith("/json") and not self.path.startswith("/nothing-here"):
                body = frames[min(served["n"], len(frames) - 1)].encode()
                served["n"] += 1
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Exporter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        r = run(binary, "--connect", base, "-b", "-n", "2", "-d", "1", timeout=60)
        expect(r.returncode == 0 and r.stdout.count("cpmutop - remote") == 2 and "0000:0d:00.0 USP" in r.stdout,
               "two remote frames with the tree", r)
        r = run(binary, "--connect", base + "/secret", "-b", "-n", "1", timeout=60)
        expect(r.returncode == 1 and "wants a user and password" in r.stderr, "401 without credentials", r)
        r = run(binary, "--connect", base.replace("http://", "http://ops:pw@") + "/secret", "-b", "-n", "1", timeout=60)
        expect(r.returncode == 0 and "cpmutop - remote" in r.stdout, "basic auth", r)
        r = run(binary, "--connect", base + "/bad", "-b", "-n", "1", timeout=60)
        expect(r.returncode == 1 and "snapshot JSON" in r.stderr, "not a snapshot", r)
        r = run(binary, "--connect", base + "/nothing-here", "-b", "-n", "1", timeout=60)
        expect(r.returncode == 1 and "HTTP 404" in r.stderr, "404", r)
    finally:
        server.shutdown()


def kernel_owned(binary, tmp):
    """The kernel's cxl_pmu driver bound to CPMU 0 of the memory device
    0f:00.0 (a fake /sys/bus/cxl, as the session tests build it): its row is
    flagged K and not counted, the others count."""
    device = tmp / "devices" / "pci0000:0c" / "0000:0f:00.0" / "pmu_mem0.0"
    (device / "driver").mkdir(parents=True)
    (tmp / "bus" / "cxl" / "devices").mkdir(parents=True)
    (tmp / "bus" / "cxl" / "devices" / "pmu_mem0.0").symlink_to(device, target_is_directory=True)
    (tmp / "bus" / "event_source" / "devices" / "cxl_pmu_mem0.0").mkdir(parents=True)
    r = run(binary, "--sim", "--cxl-sysfs", str(tmp / "bus" / "cxl"), "--event-source-sysfs",
            str(tmp / "bus" / "event_source"), "-b", "-n", "1", "-d", "2", env={"XDG_CONFIG_HOME": str(tmp)})
    expect(r.returncode == 0, "run failed", r)
    owned = re.search(r"^.*cpmu 0 .*$", r.stdout.split("0000:0f:00.0 EP", 1)[1], re.M)
    expect(owned and re.search(r"\bK\b", owned.group(0)) and "kernel" in owned.group(0),
           "0000:0f:00.0/0 is not flagged K with the reason", r)
    expect(re.search(r"^.*0000:0d:00\.0 USP\s+[0-9.]+[kMG]", r.stdout, re.M), "the others do not count", r)


SCENARIOS = {f.__name__: f for f in (man_page, connect_feed, kernel_owned, batch_frames, record_replay, bad_recordings, bad_options, no_hardware, corrupt_rc,
                                     connect_nothing)}


def main():
    binary, name = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="cpmutop-batch-") as tmp:
        try:
            SCENARIOS[name](binary, pathlib.Path(tmp))
        except Fail as e:
            print(f"{name}: FAIL: {e}")
            return 1
    print(f"{name}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
