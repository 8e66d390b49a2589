"""cpmutop --connect against a real cpmu-exporter (not a stand-in): the
non-root path of issue 12. Over plain HTTP, over TLS with a self-signed
certificate (trusted with --cacert, refused without it) and with basic auth
(right and wrong password), cpmutop's batch frames show the exporter's
machine as a tree with numbers, or one clear line and exit status 1.

usage: cpmutop_connect_test.py EXPORTER CPMUTOP
"""
import base64
import pathlib
import shutil
import subprocess
import sys
import tempfile

from exporter_harness import check, exporter
from security_test import client_context, self_signed


def cpmutop(binary, *args):
    env = {"PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="cpmutop-rc-"), "LANG": "C"}
    return subprocess.run([binary, *args, "-b", "-n", "2", "-d", "5"], capture_output=True, text=True, timeout=120,
                          env=env)


def shows_the_machine(run, what):
    check(run.returncode == 0, f"{what}: exit {run.returncode}: {run.stderr.strip()}")
    check(run.stdout.count("cpmutop - remote") == 2, f"{what}: not two remote frames:\n{run.stdout}")
    # The switch upstream port of the simulated machine, with a rate.
    check("0000:0d:00.0 USP" in run.stdout, f"{what}: no tree from the exporter's snapshot:\n{run.stdout}")


def main():
    exporter_binary, cpmutop_binary = sys.argv[1], sys.argv[2]
    for tool in ("openssl", "htpasswd"):
        if not shutil.which(tool):
            print(f"skipping: {tool} is missing (scripts/install-deps)")
            return 77
    work = pathlib.Path(tempfile.mkdtemp(prefix="cpmutop-connect-"))
    try:
        with exporter(exporter_binary, ["--sim"]) as e:
            shows_the_machine(cpmutop(cpmutop_binary, "--connect", f"http://127.0.0.1:{e.port}"), "plain HTTP")

        key, cert = self_signed(work, "server")
        hashed = subprocess.run(["htpasswd", "-nbBC", "10", "ops", "s3cret"], check=True, capture_output=True,
                                text=True).stdout.strip().split(":", 1)[1]
        web = work / "web.yml"
        web.write_text(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n"
                       f"basic_auth_users:\n  ops: '{hashed}'\n")
        auth = "Basic " + base64.b64encode(b"ops:s3cret").decode()
        with exporter(exporter_binary, ["--sim", "--web.config.file", str(web)], tls_context=client_context(ca=cert),
                      auth=auth) as e:
            url = f"https://ops:s3cret@127.0.0.1:{e.port}"
            shows_the_machine(cpmutop(cpmutop_binary, "--connect", url, "--cacert", str(cert)), "TLS and basic auth")
            untrusted = cpmutop(cpmutop_binary, "--connect", url)
            check(untrusted.returncode == 1 and "not trusted" in untrusted.stderr and "--cacert" in untrusted.stderr,
                  f"an untrusted certificate: {untrusted.returncode} {untrusted.stderr.strip()}")
            wrong = cpmutop(cpmutop_binary, "--connect", f"https://ops:wrong@127.0.0.1:{e.port}", "--cacert", str(cert))
            check(wrong.returncode == 1 and "user and password" in wrong.stderr,
                  f"a wrong password: {wrong.returncode} {wrong.stderr.strip()}")
            plain = cpmutop(cpmutop_binary, "--connect", f"http://127.0.0.1:{e.port}", "--cacert", str(cert))
            check(plain.returncode != 0 and "not https" in plain.stderr, f"--cacert with http: {plain.stderr.strip()}")
            check(e.alive(), "the exporter stopped serving")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("cpmutop --connect: plain, TLS with --cacert, basic auth; untrusted and wrong password refused clearly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
