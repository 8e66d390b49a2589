#!/usr/bin/env bash
# THEORY OF OPERATION: boots a Linux guest under QEMU with QEMU's own CXL
# switch topology (pxb-cxl -> root port -> switch USP 0d:00.0 -> DSPs 0e:00.0
# and 0e:01.0 -> type-3 devices 0f:00.0 and 10:00.0, each 256 MiB persistent),
# runs `cpmu doe` and `cpmu cdat` inside it and checks what QEMU's DOE
# implementation and the guest kernel's CDAT attribute give against QEMU's
# values (../shared/qemu-cxl/README.md): 150 ns read / 250 ns write latency,
# 16000 MB/s, one 256 MiB DSMAS per device, and the USP's SSLBIS for the
# pairs USP <-> DSP 0 and 1 (readable over DOE only, so with --force).
#
# usage: doe_cdat_guest_test.sh CPMU_BINARY QEMU_CXL_DIR
# Exit: 0 pass, 1 fail, 77 skip (QEMU cannot run here; the reason is printed).
set -u -o pipefail

. "$(dirname "$0")/guest_common.sh"
guest_setup "$@"

# Without --force, mailboxes of functions bound to CXL drivers stay untouched;
# the endpoints' CDAT then comes from /sys/bus/cxl/devices/endpointN/CDAT.
guest_run 300 '
cpmu doe > /out/doe.txt 2>&1; echo "exit $?" >> /out/doe.txt
cpmu doe --json --force > /out/doe-force.json 2> /out/doe-force.err; echo "exit $?" >> /out/doe-force.err
cpmu cdat --json > /out/cdat.json 2> /out/cdat.err; echo "exit $?" >> /out/cdat.err
cpmu cdat --json --force > /out/cdat-force.json 2> /out/cdat-force.err; echo "exit $?" >> /out/cdat-force.err
cpmu cdat --json --force --cxl-sysfs /nonexistent > /out/cdat-doe.json 2> /out/cdat-doe.err; echo "exit $?" >> /out/cdat-doe.err
cpmu cdat --force 0d:00.0 --raw /out/usp.cdat > /out/cdat-usp.txt 2>&1; echo "exit $?" >> /out/cdat-usp.txt
cpmu cdat --force
'

for f in doe.txt doe-force.json cdat.json cdat-force.json cdat-doe.json usp.cdat; do
  [ -s "$work/out/$f" ] || fail "the guest wrote no $f (see the output above)"
done
echo "--- cpmu doe (no --force) in the guest:"
cat "$work/out/doe.txt"

python3 - "$work/out" "$qemu_dir/dumps/switch" <<'PY'
import json, sys
out, dumps = sys.argv[1], sys.argv[2]
errors = []
def check(cond, what):
    if not cond:
        errors.append(what)

def load(name):
    with open(f"{out}/{name}") as f:
        return json.load(f)

usp, dsp0, dsp1, ep0, ep1 = "0000:0d:00.0", "0000:0e:00.0", "0000:0e:01.0", "0000:0f:00.0", "0000:10:00.0"

# cpmu doe --force: discovery + CDAT on the USP and on both type-3 devices.
doe = {f["bdf"]: f for f in load("doe-force.json")["functions"]}
for bdf in (usp, ep0, ep1):
    check(bdf in doe, f"doe: {bdf} missing")
    if bdf not in doe:
        continue
    boxes = doe[bdf]["mailboxes"]
    check(len(boxes) == 1, f"doe: {bdf} has {len(boxes)} mailboxes, expected 1")
    protos = [(p["vendor_id"], p["type"], p.get("name")) for b in boxes for p in b["protocols"]]
    check(protos == [(1, 0, "PCI-SIG Discovery"), (0x1e98, 2, "CXL Table Access (CDAT)")],
          f"doe: {bdf} protocols {protos}")
check(doe.get(usp, {}).get("mailboxes", [{}])[0].get("offset") == 0x1a8, "doe: USP mailbox not at 0x1a8")
check(doe.get(ep0, {}).get("mailboxes", [{}])[0].get("offset") == 0x190, "doe: type 3 mailbox not at 0x190")

# cpmu doe without --force leaves the kernel's mailboxes alone and says so.
text = open(f"{out}/doe.txt").read()
check("not queried" in text and "use --force" in text, "doe: no 'not queried ... use --force' without --force")
check(text.rstrip().endswith("exit 1"), "doe without --force should exit 1 (mailboxes left alone)")

def check_endpoint(f, where):
    ranges = f.get("ranges", [])
    check(len(ranges) == 1, f"{where}: {len(ranges)} DPA ranges, expected 1")
    if ranges:
        r = ranges[0]
        check(r["dpa_base"] == 0 and r["dpa_length"] == 256 << 20, f"{where}: range {r}")
        check(r["non_volatile"] is True, f"{where}: range not persistent")
        check(r.get("read_latency_ns") == 150, f"{where}: read latency {r.get('read_latency_ns')}")
        check(r.get("write_latency_ns") == 250, f"{where}: write latency {r.get('write_latency_ns')}")
        check(r.get("read_bandwidth_bytes_per_second") == 16_000_000_000, f"{where}: read bandwidth")
        check(r.get("write_bandwidth_bytes_per_second") == 16_000_000_000, f"{where}: write bandwidth")

# cpmu cdat: the endpoints' tables from the kernel; the USP's refused.
plain = {f["bdf"]: f for f in load("cdat.json")["functions"]}
for bdf in (ep0, ep1):
    f = plain.get(bdf, {})
    check("/sys/bus/cxl/devices/endpoint" in f.get("source", ""), f"cdat: {bdf} source {f.get('source')}")
    check_endpoint(f, f"cdat {bdf}")
check(plain.get(usp, {}).get("error", {}).get("code") == "owned_by_driver",
      f"cdat: USP without --force: {plain.get(usp)}")

# cpmu cdat --force: the USP's SSLBIS over DOE, ports resolved to the DSPs.
forced = {f["bdf"]: f for f in load("cdat-force.json")["functions"]}
for bdf in (ep0, ep1):
    check_endpoint(forced.get(bdf, {}), f"cdat --force {bdf}")
u = forced.get(usp, {})
check(u.get("source") == "DOE@0x1a8", f"cdat --force: USP source {u.get('source')}")
pairs = u.get("port_pairs", [])
check([(p["port_x"], p["port_y"]) for p in pairs] == [(0x100, 0), (0x100, 1)], f"USP pairs {pairs}")
for p, dsp in zip(pairs, (dsp0, dsp1)):
    check(p.get("x_bdf") == usp and p.get("y_bdf") == dsp, f"USP pair {p} not mapped to {dsp}")
    check(p.get("read_latency_ns") == 150 and p.get("write_latency_ns") == 150, f"USP pair latency {p}")
    check(p.get("read_bandwidth_bytes_per_second") == 16_000_000_000, f"USP pair bandwidth {p}")

# With the kernel's copies out of sight, every table comes over QEMU's DOE.
over_doe = {f["bdf"]: f for f in load("cdat-doe.json")["functions"]}
for bdf, offset in ((ep0, 0x190), (ep1, 0x190), (usp, 0x1a8)):
    check(over_doe.get(bdf, {}).get("source") == f"DOE@{offset:#x}", f"cdat over DOE: {bdf} {over_doe.get(bdf)}")
for bdf in (ep0, ep1):
    check_endpoint(over_doe.get(bdf, {}), f"cdat over DOE {bdf}")

# --raw: the bytes read over QEMU's DOE equal the dump taken in the guest before.
raw = open(f"{out}/usp.cdat", "rb").read()
check(raw == open(f"{dumps}/cxl-upstream_0d-00.0.cdat-doe.bin", "rb").read(), "--raw bytes differ from QEMU's table")

for e in errors:
    print("FAIL:", e)
if errors:
    sys.exit(1)
print("PASS: cpmu doe and cpmu cdat agree with QEMU's DOE and CDAT")
PY
