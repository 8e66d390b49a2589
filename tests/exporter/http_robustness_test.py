#!/usr/bin/env python3
"""Malformed and hostile HTTP never crashes or blocks cpmu-exporter: garbage
request lines, huge request lines and headers, too many headers, bad
methods, bodies, path traversal and slowloris-style slow requests each get a
4xx (or the connection is dropped), and a normal scrape works after each and
while slow clients hang on: clients that trickle a byte just inside the read
timeout are cut off by the total request deadline, and an endless header
flood by the request head's byte limit, with memory bounded. Run it on an ASan build (scripts/test --sanitize)
for the no-crash part. Usage: http_robustness_test.py EXPORTER
"""
import select
import socket
import sys
import threading
import time

from exporter_harness import check, exporter, rss_kib

READ_TIMEOUT = 2
REQUEST_TIMEOUT = 6
THREADS = 4


def raw(port, data, timeout=20, read=True):
    """The status code the server answered with, or None when it closed the connection without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not read:
            return None
        reply = b""
        try:
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    if not reply.startswith(b"HTTP/1."):
        return None
    return int(reply.split(b" ")[1])


def closed_by_server(s):
    """True once the server closed or reset the connection (without blocking)."""
    if not select.select([s], [], [], 0)[0]:
        return False
    try:
        return s.recv(4096) == b""
    except OSError:
        return True


def trickling_slowloris(e):
    """Twice as many clients as worker threads, each sending one byte of its
    header well inside the read timeout (a quarter of it, a margin that
    holds on a loaded machine), so no single read times out:
    only the total request deadline ends them. Meanwhile /metrics answers
    within a bound, and every trickler is dropped soon after the deadline."""
    clients = []
    for _ in range(2 * THREADS):
        s = socket.create_connection(("127.0.0.1", e.port), timeout=30)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        clients.append(s)
    start = time.monotonic()
    dropped_at = {}
    stop = threading.Event()

    def trickle():
        while not stop.is_set() and len(dropped_at) < len(clients):
            for i, s in enumerate(clients):
                if i in dropped_at:
                    continue
                if closed_by_server(s):
                    dropped_at[i] = time.monotonic() - start
                    continue
                try:
                    s.sendall(b"a")
                except OSError:
                    dropped_at[i] = time.monotonic() - start
            stop.wait(READ_TIMEOUT / 4)

    trickler = threading.Thread(target=trickle)
    trickler.start()
    try:
        time.sleep(READ_TIMEOUT + 1)  # the tricklers hold every worker by now
        asked = time.monotonic()
        try:
            status, _, body = e.get("/metrics")
        except OSError as error:
            status, body = f"none ({error})", b""
        waited = time.monotonic() - asked
        check(status == 200 and b"cxl_cpmu_up" in body, f"/metrics while trickling: status {status}")
        # Served once the tricklers ahead of it in the queue are cut off.
        bound = REQUEST_TIMEOUT + 10
        check(waited < bound, f"/metrics took {waited:.1f} s while clients trickled (bound {bound} s)")
        limit = REQUEST_TIMEOUT + 15
        while len(dropped_at) < len(clients) and time.monotonic() - start < limit:
            time.sleep(0.2)
    finally:
        stop.set()
        trickler.join()
        for s in clients:
            s.close()
    check(len(dropped_at) == len(clients),
          f"only {len(dropped_at)} of {len(clients)} trickling clients were dropped within {limit} s")
    earliest = min(dropped_at.values())
    # By the deadline, not by the read timeout: they trickled faster than that.
    check(earliest > REQUEST_TIMEOUT - 1, f"a trickling client was dropped after {earliest:.1f} s, before the deadline")
    print(f"trickling: {len(clients)} clients dropped after {earliest:.1f}-{max(dropped_at.values()):.1f} s; "
          f"/metrics answered in {waited:.1f} s meanwhile")


def header_flood(e):
    """An endless run of short header lines is cut off once the request head
    passes its byte limit, with the exporter's resident memory bounded."""
    before = rss_kib(e.process.pid)
    peak = [before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(e.process.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    lines = b"".join(b"X-F%d: v\r\n" % i for i in range(8192))
    sent = 0
    dropped = False
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", e.port), timeout=20) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            # Sent as the server takes it, watching for its close meanwhile:
            # a server that stops reading leaves a blocking send hanging.
            s.setblocking(False)
            offset = 0
            while not dropped and time.monotonic() - start < 30:
                readable, writable, _ = select.select([s], [s], [], 1)
                if readable:
                    try:
                        dropped = s.recv(4096) == b""
                    except OSError:
                        dropped = True
                elif writable:
                    try:
                        n = s.send(lines[offset:])
                    except BlockingIOError:
                        continue
                    except OSError:
                        dropped = True
                        continue
                    sent += n
                    offset = (offset + n) % len(lines)
    finally:
        stop.set()
        sampler.join()
    took = time.monotonic() - start
    check(dropped, f"a header flood of {sent >> 20} MiB was still being read after {took:.0f} s")
    # The byte limit ended it, not the (later) request deadline.
    check(took < REQUEST_TIMEOUT - 1, f"a header flood was cut off only after {took:.1f} s")
    growth = (peak[0] - before) // 1024
    check(growth < 64, f"resident memory grew by {growth} MiB during a header flood")
    print(f"header flood: dropped after {sent >> 10} KiB in {took:.1f} s; resident memory grew {growth} MiB")


def main():
    binary = sys.argv[1]
    with exporter(binary, ["--sim", "--web.read-timeout", str(READ_TIMEOUT), "--web.max-threads", str(THREADS),
                             "--web.request-timeout", str(REQUEST_TIMEOUT)]) as e:
        def still_serving(after):
            status, _, body = e.get("/metrics")
            check(status == 200 and b"cxl_cpmu_up" in body, f"not serving after {after}")
            check(e.alive(), f"exporter died after {after}")

        cases = [
            ("garbage request line", b"\x00\xff\xfe garbage \r\n\r\n", {400}),
            ("no HTTP version", b"GET /metrics\r\n\r\n", {400}),
            ("bad version", b"GET /metrics HTTP/9.9\r\n\r\n", {400, 505}),
            ("unknown method", b"BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n", {400, 405, 501}),
            ("POST", b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", {405}),
            ("DELETE", b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", {405}),
            ("huge body", b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" + b"x" * 65536,
             {413, 405}),
            ("path traversal", b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", {400, 404}),
            ("encoded traversal", b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", {400, 404}),
            ("traversal after a route", b"GET /metrics/../../../etc/shadow HTTP/1.1\r\nHost: x\r\n\r\n", {400, 404}),
            ("huge request line", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", {400, 414}),
            ("huge header", b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 200000 + b"\r\n\r\n",
             {400, 431}),
            ("too many headers", b"GET /metrics HTTP/1.1\r\nHost: x\r\n" +
             b"".join(b"X-H%d: v\r\n" % i for i in range(500)) + b"\r\n", {400, 431}),
        ]
        for name, data, allowed in cases:
            status = raw(e.port, data)
            check(status is None or status in allowed, f"{name}: status {status}, expected one of {sorted(allowed)}")
            still_serving(name)

        # Slowloris: more slow clients than threads, each dribbling a header
        # line. Each is cut off at the read timeout and the server serves
        # normal requests meanwhile and afterwards.
        slow = []
        for _ in range(6):
            s = socket.create_connection(("127.0.0.1", e.port), timeout=30)
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        start = time.monotonic()
        dropped = 0
        while time.monotonic() - start < 20 and dropped < len(slow):
            dropped = 0
            for s in slow:
                try:
                    s.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    dropped += 1
            time.sleep(3)   # longer than the 2 s read timeout between lines
        check(dropped == len(slow), f"only {dropped} of {len(slow)} slow clients were dropped within 20 s")
        for s in slow:
            s.close()
        still_serving("slow clients")

        trickling_slowloris(e)
        header_flood(e)
        still_serving("trickling clients and a header flood")

        # A client that connects and says nothing is dropped too.
        silent = socket.create_connection(("127.0.0.1", e.port), timeout=30)
        silent.settimeout(30)
        check(silent.recv(1) == b"", "an idle connection was not closed")
        silent.close()
        still_serving("an idle connection")
    print(f"http robustness: {len(cases)} malformed requests, slow and idle clients handled; still serving")
    return 0


if __name__ == "__main__":
    sys.exit(main())
