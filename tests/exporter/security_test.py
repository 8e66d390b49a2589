#!/usr/bin/env python3
"""cpmu-exporter's --web.config.file (exporter-toolkit format) and --user.

- TLS with a self-signed certificate made here by openssl: a client that
  trusts it is served; plain HTTP to the TLS port and a client that does not
  trust it get nothing; min_version TLS13 refuses a TLS 1.2-only client;
  RequireAndVerifyClientCert refuses a client without a certificate and
  serves one with a certificate the client CA signed;
- basic auth with a bcrypt hash made by htpasswd: right password 200, wrong
  password and missing credentials 401 (on every endpoint);
- a bad web config file fails start-up naming the file;
- as root: no --user and no --allow-root refuses to start; --user nobody
  runs with nobody's uid and gid (from /proc) and still serves.
Usage: security_test.py EXPORTER
"""
import base64
import os
import pathlib
import pwd
import shutil
import ssl
import subprocess
import sys
import tempfile

from exporter_harness import Exporter, check, exporter, free_port, request


def run(*argv):
    subprocess.run(argv, check=True, capture_output=True)


def self_signed(work, name):
    key, cert = work / f"{name}.key", work / f"{name}.crt"
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
    return key, cert


def client_context(ca=None, cert=None, key=None, max_version=None):
    context = ssl.create_default_context(cafile=str(ca)) if ca else ssl.create_default_context()
    if cert:
        context.load_cert_chain(str(cert), str(key))
    if max_version:
        context.maximum_version = max_version
    return context


def refused(port, context):
    try:
        request(port, "/metrics", tls_context=context, timeout=10)
    except (ssl.SSLError, ConnectionError, OSError):
        return True
    return False


def main():
    binary = sys.argv[1]
    for tool in ("openssl", "htpasswd"):
        if not shutil.which(tool):
            print(f"skipping: {tool} is missing (scripts/install-deps)")
            return 77
    work = pathlib.Path(tempfile.mkdtemp(prefix="cpmu-security-"))
    try:
        key, cert = self_signed(work, "server")
        client_key, client_cert = self_signed(work, "client")
        web = work / "web.yml"

        web.write_text(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n")
        trusted = client_context(ca=cert)
        with exporter(binary, ["--sim", "--web.config.file", str(web)], tls_context=trusted) as e:
            status, _, body = e.get("/metrics")
            check(status == 200 and b"cxl_cpmu_up" in body, f"TLS scrape: {status}")
            check(refused(e.port, client_context()), "a client that does not trust the certificate was served")
            try:
                plain = request(e.port, "/metrics", timeout=10)
                check(plain[0] >= 400, f"plain HTTP on the TLS port was served: {plain[0]}")
            except (ConnectionError, OSError, Exception):
                pass
            status, _, _ = e.get("/health")
            check(status == 200 and e.alive(), "not serving after the refused clients")

        web.write_text(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n  min_version: TLS13\n")
        with exporter(binary, ["--sim", "--web.config.file", str(web)], tls_context=trusted) as e:
            check(refused(e.port, client_context(ca=cert, max_version=ssl.TLSVersion.TLSv1_2)),
                  "min_version TLS13 served a TLS 1.2 client")
            check(e.get("/health")[0] == 200, "TLS 1.3 client refused")

        web.write_text(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n"
                       f"  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {client_cert}\n")
        with_cert = client_context(ca=cert, cert=client_cert, key=client_key)
        with exporter(binary, ["--sim", "--web.config.file", str(web)], tls_context=with_cert) as e:
            check(e.get("/metrics")[0] == 200, "a client with a verified certificate was refused")
            check(refused(e.port, trusted), "RequireAndVerifyClientCert served a client without a certificate")
            check(refused(e.port, client_context(ca=cert, cert=cert, key=key)),
                  "a client certificate the client CA did not sign was accepted")

        hashed = subprocess.run(["htpasswd", "-nbBC", "10", "prometheus", "s3cret word"], check=True,
                                capture_output=True, text=True).stdout.strip().split(":", 1)[1]
        web.write_text(f"basic_auth_users:\n  prometheus: '{hashed}'\n")
        good = "Basic " + base64.b64encode(b"prometheus:s3cret word").decode()
        bad = "Basic " + base64.b64encode(b"prometheus:wrong").decode()
        with exporter(binary, ["--sim", "--web.config.file", str(web)], auth=good) as e:
            for path in ("/metrics", "/json", "/health", "/"):
                check(e.get(path, {"Authorization": good})[0] == 200, f"right password refused on {path}")
                check(e.get(path, {"Authorization": bad})[0] == 401, f"wrong password accepted on {path}")
                status, headers, _ = e.get(path)
                check(status == 401 and "basic" in headers.get("www-authenticate", "").lower(),
                      f"no credentials on {path}: {status}")
            check(e.get("/metrics", {"Authorization": "Basic !!!notbase64"})[0] == 401, "malformed credentials")
            check(e.get("/metrics", {"Authorization": "Basic " + base64.b64encode(b"nobody:x").decode()})[0] == 401,
                  "unknown user accepted")

        web.write_text("tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key\n")
        args = [binary, "--sim", "--web.config.file", str(web), "--web.listen-address", f"127.0.0.1:{free_port()}"]
        if os.geteuid() == 0:
            args.append("--allow-root")
        bad_start = subprocess.run(args, capture_output=True, text=True, timeout=60)
        check(bad_start.returncode != 0 and "/nonexistent.crt" in bad_start.stderr,
              f"a missing certificate did not fail start-up clearly: {bad_start.returncode} {bad_start.stderr}")
        web.write_text("basic_auth_users:\n  prometheus: plaintext\n")
        bad_start = subprocess.run(args, capture_output=True, text=True, timeout=60)
        check(bad_start.returncode != 0 and str(web) in bad_start.stderr and "bcrypt" in bad_start.stderr,
              f"a clear-text password did not fail start-up: {bad_start.stderr}")

        if os.geteuid() == 0:
            as_root = subprocess.run([binary, "--sim", "--web.listen-address", f"127.0.0.1:{free_port()}"],
                                     capture_output=True, text=True, timeout=60)
            check(as_root.returncode == 2 and "refusing to serve as root" in as_root.stderr,
                  f"served as root without --user: {as_root.returncode} {as_root.stderr}")
            nobody = pwd.getpwnam("nobody")
            with exporter(binary, ["--sim", "--user", "nobody"]) as e:
                status = pathlib.Path(f"/proc/{e.process.pid}/status").read_text()
                uids = next(l for l in status.splitlines() if l.startswith("Uid:")).split()[1:]
                gids = next(l for l in status.splitlines() if l.startswith("Gid:")).split()[1:]
                check(all(int(u) == nobody.pw_uid for u in uids), f"uids after --user nobody: {uids}")
                check(all(int(g) == nobody.pw_gid for g in gids), f"gids after --user nobody: {gids}")
                check(e.get("/metrics")[0] == 200, "not serving after dropping privileges")
            print("privilege drop: running as nobody, serving")
        else:
            print("not root: the privilege drop part is skipped")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("security: TLS accepted/refused, client certificates, basic auth right/wrong/missing, bad configs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
