#!/usr/bin/env python3
"""cpmu-exporter benchmarks (bench/run-exporter runs this):

1. /metrics with about 512 series: p50/p99 latency and requests/s with wrk
   (2 threads, 4 connections, 10 s) against node_exporter (Debian's
   prometheus-node-exporter, default collectors) measured in the same run;
   the ratio is what counts (goals: p50 at most 1 ms, at least 10x node_exporter's requests/s);
2. the exporter's resident memory with about 512 and about 8192 series;
3. the exporter's CPU share when idle (no scrapes) at a 1 s poll with 64 CPMUs.

The machines are simulated (a generated topology: memory expanders with 8
CPMUs of 16 events each), and the simulator runs inside the exporter, so its
CPU time counts as the exporter's: the idle figure is an upper bound.
Usage: exporter_bench.py EXPORTER [NODE_EXPORTER] [WRK]
"""
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

EVENTS = ["m2s_req_meminv", "m2s_req_memrd", "m2s_req_memrddata", "m2s_req_memrdfwd", "m2s_req_memwrfwd",
          "m2s_rwd_memwr", "m2s_rwd_memwrptl", "m2s_rwd_biconflict", "s2m_ndr_cmp", "s2m_ndr_cmps", "s2m_ndr_cmpe",
          "s2m_ndr_cmpm", "s2m_ndr_biconflictack", "s2m_drs_memdata", "s2m_drs_memdatanxm", "clock_ticks"]


def cpmu_spec():
    return {"width": 48,
            "event_caps": [{"vid": "0x1e98", "gid": "0x0020", "mask": "0x1f"},
                           {"vid": "0x1e98", "gid": "0x0021", "mask": "0x16"},
                           {"vid": "0x1e98", "gid": "0x0024", "mask": "0x1f"},
                           {"vid": "0x1e98", "gid": "0x0025", "mask": "0x3"},
                           {"vid": "0x1e98", "gid": "0x0000", "mask": "0x1"}],
            "counters": [{"kind": "configurable"}] * 15 + [{"kind": "fixed", "cap": 4, "mask": "0x1"}],
            "interrupt": True, "freeze": True, "writable_when_frozen": True}


def topology(endpoints, cpmus_per_endpoint):
    bridges = []
    for b in range((endpoints + 31) // 32):
        ports = []
        for d in range(min(32, endpoints - 32 * b)):
            ports.append({"device": d, "port": d, "link": {"speed_gts": 32, "width": 8},
                          "endpoint": {"serial": hex(0x1000 + 32 * b + d),
                                       "memory": [{"size": "1G"}],
                                       "traffic": {"phases": [{"duration_ms": 1000, "reads_per_s": 1000000,
                                                               "writes_per_s": 500000}]},
                                       "cpmus": [cpmu_spec() for _ in range(cpmus_per_endpoint)]}})
        bridges.append({"domain": 0, "root_bus": hex(0x10 + 0x40 * b), "root_ports": ports})
    return {"schema_version": 1, "description": f"bench: {endpoints} expanders x {cpmus_per_endpoint} CPMUs",
            "host_bridges": bridges}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
        return r.read().decode()


def wait_up(port, process):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"exited with {process.returncode}")
        try:
            fetch(port)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"port {port} never served")


def series(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


STARTED = []   # every process the bench started, stopped however it ends


class Exporter:
    def __init__(self, binary, work, endpoints, cpmus, interval="1s"):
        topo = work / f"topo-{endpoints}-{cpmus}.json"
        topo.write_text(json.dumps(topology(endpoints, cpmus)))
        config = work / "collection.yml"
        config.write_text(f"interval: {interval}\nevents:\n  endpoint: [{', '.join(EVENTS)}]\n")
        self.port = free_port()
        argv = [binary, "--topology", str(topo), "--collection.file", str(config),
                "--web.listen-address", f"127.0.0.1:{self.port}"]
        if os.geteuid() == 0:
            argv.append("--allow-root")
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        STARTED.append(self.process)
        wait_up(self.port, self.process)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1, "s": 1e3}[unit]


def wrk(binary, port, path="/metrics"):
    out = subprocess.run([binary, "-t2", "-c4", "-d10s", "--latency", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = "Non-2xx" in out or "Socket errors" in out
    return p50, p99, rps, errors


def main():
    binary = sys.argv[1]
    node = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/prometheus-node-exporter"
    wrk_binary = sys.argv[3] if len(sys.argv) > 3 else "wrk"
    if not shutil.which(wrk_binary) or not os.path.exists(node):
        sys.exit("bench needs wrk and prometheus-node-exporter (scripts/install-deps)")
    work = pathlib.Path(tempfile.mkdtemp(prefix="cpmu-exporter-bench-"))
    try:
        e = Exporter(binary, work, 3, 8)
        n_port = free_port()
        node_process = subprocess.Popen([node, f"--web.listen-address=127.0.0.1:{n_port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        STARTED.append(node_process)
        try:
            wait_up(n_port, node_process)
            ours, theirs = series(fetch(e.port)), series(fetch(n_port))
            c = wrk(wrk_binary, e.port)
            n = wrk(wrk_binary, n_port)
        finally:
            node_process.terminate()
            node_process.wait(timeout=60)
        rss_512 = rss_kib(e.process.pid)
        e.stop()
        print(f"/metrics, {ours} series (node_exporter: {theirs}), wrk -t2 -c4 -d10s on loopback:")
        print(f"  cpmu-exporter   p50 {c[0]:7.3f} ms  p99 {c[1]:7.3f} ms  {c[2]:10.0f} req/s{'  ERRORS' if c[3] else ''}")
        print(f"  node_exporter   p50 {n[0]:7.3f} ms  p99 {n[1]:7.3f} ms  {n[2]:10.0f} req/s{'  ERRORS' if n[3] else ''}")
        ratio = c[2] / n[2]
        print(f"  ratio           {ratio:.1f}x the requests/s of node_exporter (goal >= 10x: {'met' if ratio >= 10 else 'NOT met'}); "
              f"p50 {'<=' if c[0] <= 1 else '>'} 1 ms (goal: {'met' if c[0] <= 1 else 'NOT met'})")

        big = Exporter(binary, work, 48, 8)
        for _ in range(5):
            big_series = series(fetch(big.port))
        rss_8192 = rss_kib(big.process.pid)
        big.stop()
        print(f"resident memory: {rss_512 / 1024:.1f} MiB with {ours} series, {rss_8192 / 1024:.1f} MiB with {big_series} series")

        idle = Exporter(binary, work, 8, 8, interval="1s")
        time.sleep(3)
        start_cpu, start = cpu_seconds(idle.process.pid), time.monotonic()
        time.sleep(20)
        share = (cpu_seconds(idle.process.pid) - start_cpu) / (time.monotonic() - start)
        idle.stop()
        print(f"idle CPU: {share:.2%} of one CPU at a 1 s poll with 64 CPMUs ({64 * len(EVENTS)} events; "
              f"includes the in-process simulator)")
    finally:
        for process in STARTED:
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
