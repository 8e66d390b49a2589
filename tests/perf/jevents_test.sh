#!/usr/bin/env bash
# THEORY OF OPERATION: `cpmu perf json -o DIR` writes the catalogue as perf's
# pmu-events JSON; perf's own tools/perf/pmu-events/jevents.py (taken from
# Debian's linux-source package: only the script, the module it imports and
# perf's arch/test tree, which jevents.py always reads beside the
# architecture) builds its C tables from it. The test fails on anything
# jevents.py rejects, and checks that every event (with its config) and
# every metric (with its expression) reached the tables.
#
# Where linux-source comes from, first found: $CPMU_LINUX_SOURCE (a
# linux-source-*.deb or linux-source-*.tar.xz), /usr/src/linux-source-*.tar.xz
# (the installed package), the .deb ../shared/qemu-cpmu/setup.sh downloaded
# (${QCPMU_WORK:-/tmp/qemu-cpmu}/apt/debs). The extracted files are cached in
# ${TMPDIR:-/tmp}/cpmu-jevents-<name> (about 10 s to extract the first time).
#
# usage: jevents_test.sh CPMU_BINARY
# Exit: 0 pass, 1 fail, 77 skip (no linux-source here, or no python3).
set -u -o pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

cpmu=${1:?usage: $0 CPMU_BINARY}
command -v python3 >/dev/null || skip "python3 is not installed"
source=${CPMU_LINUX_SOURCE:-}
if [ -z "$source" ]; then
  for candidate in /usr/src/linux-source-*.tar.xz "${QCPMU_WORK:-${TMPDIR:-/tmp}/qemu-cpmu}"/apt/debs/linux-source-*.deb; do
    [ -f "$candidate" ] && source=$candidate
  done
fi
[ -n "$source" ] && [ -f "$source" ] || skip "no linux-source package here (apt-get install linux-source, or set CPMU_LINUX_SOURCE)"

name=$(basename "$source")
cache="${TMPDIR:-/tmp}/cpmu-jevents-${name%%.*}"
wanted='*/tools/perf/pmu-events/*.py */tools/perf/pmu-events/arch/test/*'
if [ ! -f "$cache/done" ]; then
  rm -rf "$cache" && mkdir -p "$cache" || fail "cannot create $cache"
  case $source in
    *.deb) dpkg-deb --fsys-tarfile "$source" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' | xz -dc |
             (cd "$cache" && tar -x --wildcards $wanted) ;;
    *.tar.xz) xz -dc "$source" | (cd "$cache" && tar -x --wildcards $wanted) ;;
    *) fail "$source: expected a .deb or .tar.xz" ;;
  esac
  [ -f "$(echo "$cache"/*/tools/perf/pmu-events/jevents.py)" ] || fail "no jevents.py in $source"
  touch "$cache/done"
fi
events_dir=$(echo "$cache"/*/tools/perf/pmu-events)

work=$(mktemp -d /tmp/cpmu-jevents-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$cpmu" perf json -o "$work/tree" --arch x86 > "$work/written" || fail "cpmu perf json failed"
ln -s "$events_dir/arch/test" "$work/tree/test"
python3 "$events_dir/jevents.py" x86 all "$work/tree" "$work/pmu-events.c" 2> "$work/jevents.err" ||
  fail "jevents.py rejected cpmu's pmu-events JSON: $(cat "$work/jevents.err")"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
c = open(f"{work}/pmu-events.c").read().replace("\\000", "\0")
errors = []
events = json.load(open(f"{work}/tree/x86/cxl/cxl-pmu.json"))
metrics = json.load(open(f"{work}/tree/x86/cxl/cxl-metrics.json"))
if len(events) < 50 or len(metrics) < 5:
    errors.append(f"only {len(events)} events and {len(metrics)} metrics written")
for e in events:
    code = int(e["ConfigCode"], 16)
    if f"{e['EventName']}\0" not in c or f"config={code:#x}" not in c:
        errors.append(f"event {e['EventName']} ({e['ConfigCode']}) is not in jevents' table")
for m in metrics:
    if f"{m['MetricName']}\0cxl\0" not in c:
        errors.append(f"metric {m['MetricName']} is not in jevents' table")
for e in errors:
    print("FAIL:", e)
print(f"PASS: {len(events)} events, {len(metrics)} metrics in jevents' tables" if not errors else f"{len(errors)} failed")
sys.exit(1 if errors else 0)
PY
