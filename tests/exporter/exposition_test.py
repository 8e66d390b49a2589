#!/usr/bin/env python3
"""cpmu-exporter's endpoints on the simulated machine.

- /metrics in text 0.0.4 passes `promtool check metrics` with nothing to report;
- /metrics in OpenMetrics 1.0.0 parses with prometheus_client's strict
  OpenMetrics parser (promtool 2.42 reads only the text format), ends in
  # EOF, carries # UNIT only on families ending in their unit and _created
  beside every _total, and has the same samples as the text format;
- the format follows the Accept header's q-values; gzip when accepted;
- /json is one snapshot document that validates against the shipped schema;
- /health is 200, / links /metrics, HEAD works, unknown paths are 404.
Usage: exposition_test.py EXPORTER PROMTOOL SCHEMA
"""
import gzip
import json
import subprocess
import sys

from exporter_harness import SKIP, check, exporter, fail, metric_samples

OM = "application/openmetrics-text"
PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                     "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


def main():
    binary, promtool, schema_path = sys.argv[1:4]
    try:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
        import jsonschema
    except ImportError as e:
        print(f"skipping: {e} (scripts/install-deps installs python3-prometheus-client and python3-jsonschema)")
        return SKIP

    with exporter(binary, ["--sim"]) as e:
        status, headers, text = e.get("/metrics")
        check(status == 200, f"/metrics: status {status}")
        check(headers["content-type"].startswith("text/plain; version=0.0.4"), f"text content type {headers}")
        lint = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True)
        check(lint.returncode == 0 and not lint.stdout.strip() and not lint.stderr.strip(),
              f"promtool check metrics (text): rc {lint.returncode}: {lint.stdout.decode()} {lint.stderr.decode()}")
        body = text.decode()
        for family in ("cxl_cpmu_s2m_drs_memdata_total", "cxl_mem_read_bytes_total", "cxl_mem_write_bytes_total",
                       "cxl_cdat_read_bandwidth_bytes_per_second", "cxl_cdat_read_latency_seconds",
                       "cxl_link_current_transfers_per_second", "cxl_cpmu_up", "cxl_cpmu_info",
                       "cxl_cpmu_untrusted_totals", "cxl_scrape_collector_duration_seconds"):
            check(f"\n{family}{{" in body or f"\n{family} " in body, f"text format lacks {family}")
        check("vid=0x1e98,gid=0x0025,mask=0x1" in body, "HELP lacks the event's vid/gid/mask")

        # Prometheus's own Accept header prefers OpenMetrics.
        status, headers, om = e.get("/metrics", {"Accept": PROMETHEUS_ACCEPT})
        check(headers["content-type"].startswith(f"{OM}; version=1.0.0"), f"OpenMetrics content type: {headers}")
        om_text = om.decode()
        check(om_text.endswith("# EOF\n"), "OpenMetrics exposition does not end with # EOF")
        try:
            families = list(text_string_to_metric_families(om_text))
        except Exception as error:  # the parser raises ValueError and others
            fail(f"OpenMetrics parser: {error}")
        by_name = {f.name: f for f in families}
        check(by_name["cxl_mem_read_bytes"].type == "counter" and by_name["cxl_mem_read_bytes"].unit == "bytes",
              "cxl_mem_read_bytes is not a counter in bytes")
        check(by_name["cxl_cpmu"].type == "info", "cxl_cpmu is not an info family")
        for line in om_text.splitlines():
            if line.startswith("# UNIT "):
                _, _, name, unit = line.split(" ", 3)
                check(name.endswith("_" + unit), f"# UNIT {unit} on {name}")
        totals = [l for l in om_text.splitlines() if l.startswith("cxl_") and l.split("{")[0].endswith("_total")]
        created = [l for l in om_text.splitlines() if l.split("{")[0].endswith("_created")]
        check(totals and len(totals) == len(created), f"{len(totals)} _total samples but {len(created)} _created")
        # The same counters in both formats (values move between the scrapes, so only their names and labels).
        text_keys = {k for k in metric_samples(body) if k[0].endswith("_total")}
        om_keys = {k for k in metric_samples("\n".join(totals))}
        check(text_keys == om_keys, f"formats disagree on the counters: {sorted(text_keys ^ om_keys)[:4]}")

        for accept, want in [
            ("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5", "text/plain"),
            ("application/openmetrics-text;version=1.0.0;q=0.9,text/plain;q=0.8", OM),
            ("application/openmetrics-text; version=1.0.0", OM),
            ("application/openmetrics-text;version=1.0.0;q=0", "text/plain"),
            ("application/openmetrics-text;version=2.0.0", "text/plain"),
            ("*/*", "text/plain"),
            ("garbage;;;q=x,,", "text/plain"),
            ("", "text/plain"),
        ]:
            _, headers, _ = e.get("/metrics", {"Accept": accept} if accept else {})
            check(headers["content-type"].startswith(want), f"Accept '{accept}' gave {headers['content-type']}")

        status, headers, packed = e.get("/metrics", {"Accept-Encoding": "gzip"})
        check(headers.get("content-encoding") == "gzip", f"no gzip: {headers}")
        check(gzip.decompress(packed).startswith(b"# HELP "), "gzip body is not one gzip of the exposition")
        _, headers, _ = e.get("/metrics", {"Accept-Encoding": "gzip;q=0, identity"})
        check("content-encoding" not in headers, "gzip;q=0 still compressed")
        status, headers, packed = e.get("/metrics", {"Accept-Encoding": "gzip", "Accept": OM})
        check(gzip.decompress(packed).endswith(b"# EOF\n"), "gzip of OpenMetrics")

        status, headers, document = e.get("/json")
        check(status == 200 and headers["content-type"].startswith("application/json"), f"/json: {status} {headers}")
        lines = document.decode().strip().split("\n")
        check(len(lines) == 1, f"/json has {len(lines)} lines, not one document")
        snapshot = json.loads(lines[0])
        check(snapshot["type"] == "snapshot" and snapshot["sources"], "/json is not a snapshot with sources")
        schema = json.loads(open(schema_path).read())
        sub = dict(schema)
        sub["$ref"] = "#/$defs/snapshot"
        sub.pop("oneOf", None)
        errors = list(jsonschema.Draft202012Validator(sub).iter_errors(snapshot))
        check(not errors, f"/json does not validate: {errors[:1]}")

        status, _, body = e.get("/health")
        check(status == 200 and body == b"ok\n", f"/health: {status} {body!r}")
        status, _, body = e.get("/")
        check(status == 200 and b'href="metrics"' in body, "index page lacks a link to /metrics")
        status, headers, body = e.get("/metrics", method="HEAD")
        check(status == 200 and body == b"", f"HEAD /metrics: {status}")
        status, _, _ = e.get("/nothing-here")
        check(status == 404, f"unknown path: {status}")
    print("exposition: text and OpenMetrics valid, negotiation, gzip, /json, /health, / all as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
