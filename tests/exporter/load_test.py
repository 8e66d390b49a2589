#!/usr/bin/env python3
"""A bounded wrk load on cpmu-exporter's /metrics over loopback: 3 s to warm
up, then 12 s at 2 threads and 8 connections, with no socket error and no
non-2xx response, and resident memory flat across it: sampled from /proc
every 0.5 s, it may not grow by more than 4 MiB over the warmed-up value
(a per-request leak of a few hundred bytes at thousands of requests per
second would pass that in seconds). Usage: load_test.py EXPORTER WRK
"""
import re
import shutil
import subprocess
import sys
import threading
import time

from exporter_harness import check, exporter, rss_kib

GROWTH_LIMIT_KIB = 4096


def wrk(binary, port, seconds):
    out = subprocess.run([binary, "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "--latency",
                          f"http://127.0.0.1:{port}/metrics"], capture_output=True, text=True, timeout=seconds + 60)
    check(out.returncode == 0, f"wrk failed: {out.stderr}")
    return out.stdout


def main():
    binary, wrk_binary = sys.argv[1], sys.argv[2]
    if not shutil.which(wrk_binary):
        print("skipping: wrk is missing (scripts/install-deps)")
        return 77
    with exporter(binary, ["--sim"]) as e:
        wrk(wrk_binary, e.port, 3)
        warm = rss_kib(e.process.pid)
        samples = []
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                samples.append(rss_kib(e.process.pid))
                time.sleep(0.5)
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            report = wrk(wrk_binary, e.port, 12)
        finally:
            stop.set()
            sampler.join()
        check("Socket errors" not in report, f"socket errors under load:\n{report}")
        check("Non-2xx or 3xx responses" not in report, f"error responses under load:\n{report}")
        requests = int(re.search(r"(\d+) requests in", report).group(1))
        check(requests > 100, f"only {requests} requests in 12 s:\n{report}")
        check(e.alive() and e.get("/health")[0] == 200, "not healthy after the load")
        peak = max(samples)
        print(f"load: {requests} requests, RSS {warm} KiB warm, peak {peak} KiB, last {samples[-1]} KiB")
        # AddressSanitizer keeps freed memory in quarantine (growing RSS by
        # design); under it the run checks errors, and leaks at exit.
        sanitized = "libasan" in open(f"/proc/{e.process.pid}/maps").read()
        if sanitized:
            print("AddressSanitizer build: resident memory not judged")
        else:
            check(peak - warm <= GROWTH_LIMIT_KIB,
                  f"RSS grew by {peak - warm} KiB under load (limit {GROWTH_LIMIT_KIB})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
