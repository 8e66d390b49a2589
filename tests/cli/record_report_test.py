#!/usr/bin/env python3
"""cpmu record and cpmu report on the simulated machine
(tests/exporter/topologies/steady.json: 320e6 read bytes/s and 128e6 written
bytes/s on the memory expander, whose CDAT gives 32 GB/s read, 28 GB/s write).

- `cpmu record -o FILE -I 200 -- sleep 2` writes a header line and snapshot
  frames that validate against the shipped schema's recording and snapshot
  definitions, and exits with the command's status;
- `cpmu report --json FILE` is one document that validates as a report; the
  expander's mean read and write bandwidth match the ground truth within 2 %
  (the run starts and ends between samples), and utilisation is mean / CDAT;
- the text report names the component and its bandwidth;
- a missing or truncated recording fails with status 2 naming the file.
Usage: record_report_test.py CPMU SCHEMA TOPOLOGY
"""
import json
import pathlib
import subprocess
import sys
import tempfile


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    cpmu, schema_path, topology = sys.argv[1:4]
    try:
        import jsonschema
    except ImportError:
        print("skipping: python3-jsonschema is not installed")
        return 77
    schema = json.loads(pathlib.Path(schema_path).read_text())

    def validate(document, kind):
        sub = dict(schema)
        sub.pop("oneOf", None)
        sub["$ref"] = f"#/$defs/{kind}"
        errors = list(jsonschema.Draft202012Validator(sub).iter_errors(document))
        if errors:
            fail(f"a {kind} document does not validate: {errors[0].message} at {list(errors[0].path)}")

    work = pathlib.Path(tempfile.mkdtemp(prefix="cpmu-record-"))
    recording = work / "run.jsonl"
    run = subprocess.run([cpmu, "record", "--topology", topology, "-o", str(recording), "-I", "200", "--",
                          "sh", "-c", "sleep 2; exit 3"], capture_output=True, text=True, timeout=120)
    if run.returncode != 3:
        fail(f"cpmu record did not exit with the command's status 3: {run.returncode} {run.stderr}")
    lines = recording.read_text().splitlines()
    if len(lines) < 5:
        fail(f"only {len(lines)} lines recorded in 2 s at 200 ms")
    header = json.loads(lines[0])
    validate(header, "recording")
    for line in lines[1:]:
        validate(json.loads(line), "snapshot")

    report_run = subprocess.run([cpmu, "report", "--json", str(recording)], capture_output=True, text=True, timeout=60)
    if report_run.returncode != 0:
        fail(f"cpmu report --json: {report_run.returncode} {report_run.stderr}")
    report = json.loads(report_run.stdout)
    validate(report, "report")
    if report["frames"] != len(lines) - 1:
        fail(f"report counts {report['frames']} frames, the file has {len(lines) - 1}")
    expander = [c for c in report["components"] if c["kind"] == "endpoint" and "read" in c]
    if len(expander) != 1:
        fail(f"expected one endpoint with read traffic: {report['components']}")
    for direction, truth, capacity in [("read", 320e6, 32e9), ("write", 128e6, 28e9)]:
        traffic = expander[0][direction]
        mean = traffic["mean_bytes_per_second"]
        if abs(mean - truth) / truth > 0.02:
            fail(f"mean {direction} bandwidth {mean:.4g} B/s, ground truth {truth:.4g}")
        if traffic.get("capacity_bytes_per_second") != capacity:
            fail(f"{direction} capacity {traffic.get('capacity_bytes_per_second')}, CDAT says {capacity}")
        if abs(traffic["mean_utilisation"] - mean / capacity) > 1e-9:
            fail(f"{direction} utilisation is not mean / capacity")
        if traffic["peak_bytes_per_second"] < mean * 0.98:
            fail(f"{direction} peak {traffic['peak_bytes_per_second']} below the mean {mean}")

    text = subprocess.run([cpmu, "report", str(recording)], capture_output=True, text=True, timeout=60)
    if text.returncode != 0 or "0000:0d:00.0/0 endpoint" not in text.stdout or "MB/s" not in text.stdout:
        fail(f"text report: {text.returncode} {text.stdout} {text.stderr}")

    truncated = work / "truncated.jsonl"
    truncated.write_text(recording.read_text()[: len(lines[0]) + 40])
    for bad in (truncated, work / "missing.jsonl"):
        result = subprocess.run([cpmu, "report", str(bad)], capture_output=True, text=True, timeout=60)
        if result.returncode != 2 or str(bad) not in result.stderr:
            fail(f"cpmu report {bad.name}: status {result.returncode}, message {result.stderr!r}")
    print(f"record/report: {len(lines) - 1} frames; report matches the ground truth and validates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
