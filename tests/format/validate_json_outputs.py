#!/usr/bin/env python3
"""Every JSON document cpmu writes validates against the shipped schema.

Runs the built cpmu on the simulated machine (--sim) for each command's JSON
output, reads the snapshot seed corpus, and checks every document against its
own $defs entry of libcpmu/schema/cpmu.schema.json (and the schema's oneOf).
Exit 0: all valid; 1: a document is invalid (printed with where); 77: skipped
because python3-jsonschema is not installed.
"""
import argparse
import json
import pathlib
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("validate_json_outputs: python3-jsonschema is not installed (scripts/install-deps); skipping")
    sys.exit(77)

# Which $defs entry a document's "type" names.
KINDS = {"machine": "machine", "events": "events", "catalogue": "catalogue", "cdat": "cdat", "doe": "doe", "plan": "plan_line",
         "count": "count_line", "metric": "metric_line", "summary": "summary_line", "snapshot": "snapshot",
         "recording": "recording"}

# (arguments, JSON lines?, the types it must contain)
RUNS = [
    ("list --sim --json", False, {"machine"}),
    ("list --sim --json -v", False, {"machine"}),
    ("events --sim --json", False, {"events"}),
    ("events --sim --json --metrics", False, {"events"}),
    ("events --catalogue --json", False, {"catalogue"}),
    ("cdat --sim --json", False, {"cdat"}),
    ("doe --sim --json", False, {"doe"}),
    ("stat --sim -o - -j -a -e clock_ticks,ddr_act,vid=0x1e98,gid=0x20,mask=0x6 -M read_bandwidth -I 30 --interval-count 2",
     True, {"count", "metric", "summary"}),
    # 0f:00.0/1 lacks read_bandwidth's inputs: a not_supported metric line with its reason.
    ("stat --sim -o - -j -s 0f:00.0 -e clock_ticks -M read_bandwidth --duration 0.05", True, {"count", "metric", "summary"}),
    ("stat --sim -o - -j --plan -a -e clock_ticks,ddr_act", True, {"plan"}),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpmu", required=True, help="the built cpmu binary")
    parser.add_argument("--schema", required=True)
    parser.add_argument("--snapshots", required=True, help="directory of snapshot documents")
    parser.add_argument("--cpmutop", help="the built cpmutop binary: its --record output is checked too")
    parser.add_argument("--recordings", help="directory of recordings (*.jsonl): every line that parses is checked")
    parser.add_argument("--man", required=True, help="man/cpmu.1.md, whose JSON OUTPUT names every stat key")
    args = parser.parse_args()

    schema = json.loads(pathlib.Path(args.schema).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    whole = jsonschema.Draft202012Validator(schema)
    failures = 0
    checked = 0

    def check(doc, where):
        nonlocal failures, checked
        checked += 1
        kind = KINDS.get(doc.get("type") if isinstance(doc, dict) else None)
        if kind is None:
            print(f"{where}: unknown document type {doc.get('type')!r}")
            failures += 1
            return
        own = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{kind}"})
        errors = sorted(own.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors[:5]:
            print(f"{where}: {kind} at /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
        if errors or not whole.is_valid(doc):
            failures += 1

    # The schema and cpmu(1) agree on the keys of the stat lines.
    page = pathlib.Path(args.man).read_text()
    section = page[page.index("### JSON OUTPUT"):page.index("### EXIT STATUS OF cpmu stat")]
    for kind in ("plan_line", "count_line", "metric_line", "summary_line"):
        for key in schema["$defs"][kind]["properties"]:
            if f"**{key}**" not in section:
                print(f"cpmu.1.md JSON OUTPUT does not document {kind} key {key!r}")
                failures += 1

    for command, lines, wanted in RUNS:
        run = subprocess.run([args.cpmu] + command.split(), capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            print(f"cpmu {command}: exit {run.returncode}: {run.stderr.strip()}")
            failures += 1
            continue
        docs = [json.loads(l) for l in run.stdout.splitlines() if l.strip()] if lines else [json.loads(run.stdout)]
        seen = {d.get("type") for d in docs}
        if not wanted <= seen:
            print(f"cpmu {command}: expected documents of types {sorted(wanted)}, found {sorted(seen)}")
            failures += 1
        for i, doc in enumerate(docs):
            check(doc, f"cpmu {command} [document {i}]")

    for path in sorted(pathlib.Path(args.snapshots).glob("*.json")):
        text = path.read_text()
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            continue   # the corpus also holds broken input for the fuzzer
        if doc.get("type") == "snapshot" and all(s.get("placement") != "not supported" for s in doc.get("series", [])):
            check(doc, str(path))

    if args.cpmutop:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / "run.jsonl"
            run = subprocess.run([args.cpmutop, "--sim", "-b", "-n", "2", "-d", "2", "--record", str(path)],
                                 capture_output=True, text=True, timeout=120, env={"XDG_CONFIG_HOME": tmp, "PATH": "/usr/bin:/bin"})
            if run.returncode != 0:
                print(f"cpmutop --record: exit {run.returncode}: {run.stderr.strip()}")
                failures += 1
            else:
                docs = [json.loads(l) for l in path.read_text().splitlines()]
                if [d.get("type") for d in docs] != ["recording", "snapshot", "snapshot"]:
                    print(f"cpmutop --record: expected a recording header and two snapshots")
                    failures += 1
                for i, doc in enumerate(docs):
                    check(doc, f"cpmutop --record [line {i + 1}]")

    if args.recordings:
        for path in sorted(pathlib.Path(args.recordings).glob("*.jsonl")):
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                try:
                    doc = json.loads(line)
                except json.JSONDecodeError:
                    continue   # the corpus also holds broken recordings for the fuzzer
                if isinstance(doc, dict) and doc.get("schema_version") == 2:
                    check(doc, f"{path}:{number}")

    print(f"validate_json_outputs: {checked} documents checked, {failures} invalid")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
