"""Helpers the cpmu-exporter tests share: free loopback ports, starting an
exporter and waiting until it serves, plain HTTP requests, and stopping
everything a test started (by its own process ids) however the test ends.

Waits poll for a condition with a generous deadline instead of sleeping fixed
times, so the tests hold on a loaded two-core machine.
"""
import contextlib
import http.client
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
TOPOLOGIES = HERE / "topologies"
SKIP = 77


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what, timeout=60.0, every=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    fail(f"timed out after {timeout:.0f} s waiting for {what}")


def request(port, path, method="GET", headers=None, body=None, tls_context=None, timeout=30):
    """(status, headers dict with lower-case names, body bytes)."""
    if tls_context is not None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls_context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


class Exporter:
    """One cpmu-exporter process on a free loopback port."""

    def __init__(self, binary, args, port=None, wait=True, tls_context=None, auth=None):
        self.port = port or free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="cpmu-exporter-", suffix=".log", delete=False)
        argv = [binary, "--web.listen-address", f"127.0.0.1:{self.port}"] + list(args)
        if os.geteuid() == 0 and "--user" not in args:
            argv.append("--allow-root")
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        self.tls_context = tls_context
        self.auth = auth
        if wait:
            self.wait_serving()

    def wait_serving(self):
        def serving():
            if self.process.poll() is not None:
                fail(f"cpmu-exporter exited with {self.process.returncode}: {self.output()}")
            try:
                headers = {"Authorization": self.auth} if self.auth else {}
                status, _, _ = request(self.port, "/health", headers=headers, tls_context=self.tls_context, timeout=5)
                return status == 200
            except (OSError, http.client.HTTPException):
                return False
        wait_for(serving, f"cpmu-exporter on port {self.port} to report healthy")

    def get(self, path, headers=None, method="GET"):
        return request(self.port, path, method=method, headers=headers, tls_context=self.tls_context)

    def output(self):
        self.log.flush()
        return pathlib.Path(self.log.name).read_text(errors="replace")

    def alive(self):
        return self.process.poll() is None

    def signal(self, sig):
        self.process.send_signal(sig)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        os.unlink(self.log.name)
        return self.process.returncode


@contextlib.contextmanager
def exporter(binary, args, **kwargs):
    e = Exporter(binary, args, **kwargs)
    try:
        yield e
    finally:
        output = e.output()
        status = e.stop()
    # A clean stop exits 0; under AddressSanitizer a leak or error would not.
    check(status == 0, f"cpmu-exporter exited with {status} after SIGTERM: {output[-2000:]}")


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    fail(f"no VmRSS for process {pid}")


def metric_samples(text):
    """{(name, frozenset(labels)): value} of a text-format exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, value = line.rsplit(" ", 1)
        if "{" in head:
            name, rest = head.split("{", 1)
            labels = frozenset(tuple(item.split("=", 1)) for item in rest.rstrip("}").split(",") if item)
        else:
            name, labels = head, frozenset()
        out[(name, labels)] = float(value)
    return out
