#!/usr/bin/env bash
# THEORY OF OPERATION: boots a Linux guest under QEMU with QEMU's own CXL
# switch topology (pxb-cxl bus 0c -> root port 0c:00.0 -> switch USP 0d:00.0
# -> DSPs 0e:00.0 and 0e:01.0 -> type-3 devices 0f:00.0 and 10:00.0), runs
# `cpmu list --json` inside it as root on the guest kernel's real sysfs
# (libpci, BAR sizes from sysfs, /sys/bus/cxl names), and checks the result
# against what QEMU 7.2 builds (../shared/qemu-cxl/README.md): the tree, the
# DVSECs, the component (ID 1) and memory-device (ID 3) register blocks with
# their BAR sizes, the DOE mailboxes, the kernel's names, and exactly zero
# CPMUs, since QEMU emulates none.
#
# usage: list_guest_test.sh CPMU_BINARY QEMU_CXL_DIR
# Exit: 0 pass, 1 fail, 77 skip (QEMU cannot run here; the reason is printed).
set -u -o pipefail

. "$(dirname "$0")/guest_common.sh"
guest_setup "$@"

guest_run 200 '
cpmu list --json > /out/list.json 2> /out/list.err; echo "exit $?" >> /out/list.err
cpmu list -v; echo "tree exit $?"
'
[ -s "$work/out/list.json" ] || fail "the guest wrote no list.json: $(cat "$work/out/list.err" 2>/dev/null)"

python3 - "$work/out" <<'PY'
import json, sys
out = sys.argv[1]
errors = []
def check(cond, what):
    if not cond:
        errors.append(what)

err = open(f"{out}/list.err").read()
check(err.rstrip().endswith("exit 0"), f"cpmu list --json did not exit 0: {err!r}")
listing = json.load(open(f"{out}/list.json"))
check(listing["schema_version"] == 2, "schema_version")
check(listing["backend"] == "linux" and listing["privileged"] is True, "backend/privileged")
f = {fn["bdf"]: fn for fn in listing["functions"]}
rp, usp, dsp0, dsp1, ep0, ep1 = ("0000:0c:00.0", "0000:0d:00.0", "0000:0e:00.0", "0000:0e:01.0",
                                 "0000:0f:00.0", "0000:10:00.0")
check(sorted(f) == sorted([rp, usp, dsp0, dsp1, ep0, ep1]), f"CXL functions: {sorted(f)}")
if not errors:
    kinds = {bdf: fn["kind"] for bdf, fn in f.items()}
    check(kinds == {rp: "root_port", usp: "switch_upstream_port", dsp0: "switch_downstream_port", dsp1: "switch_downstream_port", ep0: "endpoint", ep1: "endpoint"},
          f"kinds: {kinds}")
    parents = {bdf: fn.get("parent") for bdf, fn in f.items()}
    check(parents == {rp: None, usp: rp, dsp0: usp, dsp1: usp, ep0: dsp0, ep1: dsp1}, f"tree: {parents}")
    check([hb["name"] for hb in listing["host_bridges"]] == ["pci0000:0c"], "host bridges")
    check(listing["host_bridges"][0].get("cxl_port", "").startswith("port"), "host bridge has no kernel port name")
    for bdf in (rp, usp, dsp0, dsp1):
        blocks = [(b["bir"], b["block_id"], b["offset"], b.get("bar_size")) for b in f[bdf]["register_blocks"]]
        check(blocks == [(0, 1, 0, 65536)], f"{bdf} blocks {blocks}")
    for bdf in (ep0, ep1):
        blocks = [(b["bir"], b["block_id"], b["offset"], b.get("bar_size")) for b in f[bdf]["register_blocks"]]
        check(blocks == [(0, 1, 0, 65536), (2, 3, 0, 4096)], f"{bdf} blocks {blocks}")
        dv = [(d["id"], d["offset"]) for d in f[bdf]["dvsecs"]]
        check(dv == [(0, 0x10c), (8, 0x144), (5, 0x168)], f"{bdf} DVSECs {dv}")
        check([d["offset"] for d in f[bdf]["doe_mailboxes"]] == [0x190], f"{bdf} DOE")
        check(f[bdf].get("memdev", "").startswith("mem"), f"{bdf} has no memdev name")
        check(f[bdf].get("cxl_endpoint", "").startswith("endpoint"), f"{bdf} has no endpoint name")
        check(f[bdf].get("driver") == "cxl_pci", f"{bdf} driver {f[bdf].get('driver')}")
    check(f[ep0].get("serial_number") == 0x1000 and f[ep1].get("serial_number") == 0x1001, "serial numbers")
    check([d["offset"] for d in f[usp]["doe_mailboxes"]] == [0x1a8], "USP DOE")
    check(f[usp].get("cxl_port", "").startswith("port"), "USP has no kernel port name")
    check(f[rp].get("cxl_dport", "").endswith("/dport0"), f"root port dport {f[rp].get('cxl_dport')}")
    for bdf, fn in f.items():
        check(fn["problems"] == [], f"{bdf} problems {fn['problems']}")
    cpmus = sum(len(fn["cpmus"]) for fn in f.values())
    check(cpmus == 0, f"{cpmus} CPMUs found; QEMU emulates none")
    check(listing["perf_pmus"] == [], f"perf PMUs {listing['perf_pmus']}")
for e in errors:
    print("FAIL:", e)
print("PASS" if not errors else f"{len(errors)} check(s) failed")
sys.exit(1 if errors else 0)
PY
