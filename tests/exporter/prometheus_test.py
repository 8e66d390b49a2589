#!/usr/bin/env python3
"""A real Prometheus server (Debian's package) scrapes two cpmu-exporter
instances on the simulated machine (tests/exporter/topologies/steady.json:
5e6 reads/s and 2e6 writes/s on one memory expander, so 320e6 read bytes/s
and 128e6 written bytes/s).

- both targets are up, scraped in OpenMetrics (Prometheus asks for it first;
  its metadata API shows cxl_cpmu as an info family, which only OpenMetrics
  has) without a scrape error;
- PromQL rate() of cxl_mem_read_bytes_total / cxl_mem_write_bytes_total
  matches that ground truth within 3 % on each instance (the exporter polls
  every 100 ms, so a snapshot is at most 0.1 s older than its scrape: under
  1 % of the 20 s window; the rest is Prometheus's extrapolation);
- with --rules and --dashboard: Prometheus loads the recording and alerting
  rules, and every PromQL expression of the rules and of the dashboard's
  panels returns at least one series through the HTTP API.

Prometheus runs on a free loopback port with its own temporary config and
data directory (a packaged daemon on :9090 is never touched) and is stopped
at the end. Usage: prometheus_test.py EXPORTER PROMETHEUS [--rules FILE...] [--dashboard FILE]
"""
import argparse
import json
import pathlib
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import sys

from exporter_harness import TOPOLOGIES, check, exporter, fail, free_port, wait_for

READ_BYTES_PER_S = 5e6 * 64
WRITE_BYTES_PER_S = 2e6 * 64
TOLERANCE = 0.03


def api(port, path, **params):
    url = f"http://127.0.0.1:{port}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as response:
        document = json.load(response)
    check(document.get("status") == "success", f"{path} {params}: {document}")
    return document["data"]


def query(port, expr):
    return api(port, "/api/v1/query", query=expr)["result"]


def dashboard_queries(path):
    model = json.loads(pathlib.Path(path).read_text())
    exprs = []
    for panel in model.get("panels", []):
        for target in panel.get("targets", []):
            if target.get("expr"):
                exprs.append(target["expr"].replace("$__rate_interval", "20s").replace("$instance", ".*")
                             .replace("$job", ".*"))
    return exprs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("exporter")
    parser.add_argument("prometheus")
    parser.add_argument("--rules", nargs="*", default=[])
    parser.add_argument("--dashboard")
    args = parser.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="cpmu-prometheus-"))
    collection = work / "collection.yml"
    collection.write_text("interval: 100ms\n")
    topology = str(TOPOLOGIES / "steady.json")
    prometheus = None
    try:
        with exporter(args.exporter, ["--topology", topology, "--collection.file", str(collection)]) as a, \
             exporter(args.exporter, ["--topology", topology, "--collection.file", str(collection)]) as b:
            port = free_port()
            rule_files = []
            for i, rules in enumerate(args.rules):
                copy = work / f"rules{i}.yml"
                shutil.copy(rules, copy)
                rule_files.append(str(copy))
            (work / "prometheus.yml").write_text(json.dumps({
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "900ms"},
                "rule_files": rule_files,
                "scrape_configs": [{"job_name": "cpmu", "static_configs": [
                    {"targets": [f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"]}]}],
            }))
            log = open(work / "prometheus.log", "w")
            prometheus = subprocess.Popen(
                [args.prometheus, f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'data'}",
                 f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"], stdout=log, stderr=subprocess.STDOUT)

            def ready():
                if prometheus.poll() is not None:
                    fail(f"prometheus exited: {(work / 'prometheus.log').read_text()}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=5) as r:
                        return r.status == 200
                except OSError:
                    return False
            wait_for(ready, "Prometheus to become ready", timeout=120)

            def both_up():
                targets = api(port, "/api/v1/targets")["activeTargets"]
                return len(targets) == 2 and all(t["health"] == "up" for t in targets) and targets
            targets = wait_for(both_up, "both exporters to be scraped", timeout=120, every=0.5)
            for t in targets:
                check(t["lastError"] == "", f"scrape error: {t['lastError']}")
            # Only OpenMetrics has info families: Prometheus negotiated it.
            def info_metadata():
                return api(port, "/api/v1/metadata", metric="cxl_cpmu").get("cxl_cpmu")
            metadata = wait_for(info_metadata, "metadata of cxl_cpmu", timeout=60, every=0.5)
            check(metadata[0]["type"] == "info", f"cxl_cpmu metadata {metadata}: not scraped as OpenMetrics")

            # 20 s of samples after the first scrape of each, plus a margin.
            wait_for(lambda: len(query(port, "count_over_time(cxl_mem_read_bytes_total[25s]) >= 22")) == 2,
                     "25 s of samples from both instances", timeout=180, every=1)
            for name, truth in [("cxl_mem_read_bytes_total", READ_BYTES_PER_S),
                                ("cxl_mem_write_bytes_total", WRITE_BYTES_PER_S)]:
                result = query(port, f"rate({name}[20s])")
                check(len(result) == 2, f"rate({name}) has {len(result)} series, expected one per instance")
                for series in result:
                    value = float(series["value"][1])
                    error = abs(value - truth) / truth
                    check(error <= TOLERANCE, f"rate({name}) on {series['metric']['instance']} = {value:.4g}, "
                                              f"ground truth {truth:.4g} ({error:.1%} > {TOLERANCE:.0%})")
                    print(f"rate({name}) {series['metric']['instance']}: {value:.6g} vs {truth:.6g} ({error:.2%})")

            if args.rules:
                groups = api(port, "/api/v1/rules")["groups"]
                rules = [r for g in groups for r in g["rules"]]
                check(rules, "Prometheus loaded no rules")
                for rule in rules:
                    check(rule.get("health") != "err", f"rule {rule['name']}: {rule.get('lastError')}")
                    if rule["type"] == "recording":
                        wait_for(lambda: query(port, rule["name"]), f"series of recording rule {rule['name']}",
                                 timeout=60, every=1)
                    else:
                        # An alert's condition is whatever follows its last
                        # comparison; its inputs must exist.
                        base = rule["query"].split(" > ")[0].split(" < ")[0].split(" == ")[0]
                        check(query(port, base), f"alert {rule['name']}: '{base}' returns no series")
                print(f"rules: {len(rules)} loaded, every one evaluates over existing series")
            if args.dashboard:
                exprs = dashboard_queries(args.dashboard)
                check(exprs, "the dashboard has no queries")
                for expr in exprs:
                    wait_for(lambda: query(port, expr), f"dashboard query '{expr}' to return series", timeout=60, every=1)
                print(f"dashboard: all {len(exprs)} queries return series")
    finally:
        if prometheus is not None and prometheus.poll() is None:
            prometheus.terminate()
            try:
                prometheus.wait(timeout=60)
            except subprocess.TimeoutExpired:
                prometheus.kill()
                prometheus.wait()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
