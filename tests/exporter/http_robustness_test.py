#!/usr/bin/env python3
"""Malformed and hostile HTTP never crashes or blocks cpmu-exporter: garbage
request lines, huge request lines and headers, too many headers, bad
methods, bodies, path traversal and slowloris-style slow requests each get a
4xx (or the connection is dropped), and a normal scrape works after each and
while slow clients hang on. Run it on an ASan build (scripts/test --sanitize)
for the no-crash part. Usage: http_robustness_test.py EXPORTER
"""
import socket
import sys
import time

from exporter_harness import check, exporter


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


def main():
    binary = sys.argv[1]
    with exporter(binary, ["--sim", "--web.read-timeout", "2", "--web.max-threads", "4"]) as e:
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
