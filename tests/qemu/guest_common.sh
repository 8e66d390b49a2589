# Sourced by the QEMU guest tests: arguments, skip/fail, and running a guest
# script on QEMU's switch topology (../shared/qemu-cxl/run-guest.sh) with the
# cpmu binary and libcpmu in its payload.
#
# After `guest_setup "$@"`: $cpmu, $qemu_dir, $runner, $work (removed on
# exit), and $work/out, where the guest's /out lands. The guest finds cpmu on its PATH
# and libcpmu through LD_LIBRARY_PATH=/payload/lib, which the guest script
# exports first.

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

guest_setup() {
  cpmu=${1:?usage: $0 CPMU_BINARY QEMU_CXL_DIR}
  qemu_dir=${2:?usage: $0 CPMU_BINARY QEMU_CXL_DIR}
  runner="$qemu_dir/run-guest.sh"
  [ -x "$runner" ] || skip "$runner not found: the QEMU guest runner is not available"
  [ -x "$cpmu" ] || fail "$cpmu is not an executable"
  command -v python3 >/dev/null || fail "python3 is needed to check the guest's JSON"
  local install_log
  if ! install_log=$("$runner" --install-only 2>&1); then
    skip "QEMU and the guest kernel cannot be installed here: $install_log"
  fi
  command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
  guest_payload
}

# cpmu_guest_setup CPMU_BINARY QEMU_CPMU_DIR: the same for ../shared/qemu-cpmu
# (its own QEMU with CPMU emulation, Linux 6.12 with cxl_pmu, perf 6.12),
# which setup.sh prepares once; skips when it has not been run.
cpmu_guest_setup() {
  cpmu=${1:?usage: $0 CPMU_BINARY QEMU_CPMU_DIR}
  qemu_dir=${2:?usage: $0 CPMU_BINARY QEMU_CPMU_DIR}
  runner="$qemu_dir/run-guest.sh"
  [ -x "$runner" ] || skip "$runner not found: the QEMU CPMU guest runner is not available"
  [ -x "$cpmu" ] || fail "$cpmu is not an executable"
  command -v python3 >/dev/null || fail "python3 is needed to check the guest's output"
  local check_log
  if ! check_log=$("$runner" --check 2>&1); then
    skip "the QEMU CPMU guest is not set up here (run $qemu_dir/setup.sh once): $check_log"
  fi
  guest_payload
}

guest_payload() {
  work=$(mktemp -d /tmp/cpmu-qemu-test.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/payload/bin" "$work/payload/lib" "$work/out"
  cp "$cpmu" "$work/payload/bin/cpmu"
  # The guest mounts its own /tmp, which hides a build tree's library there:
  # libcpmu comes along in the payload.
  local lib
  for lib in $(ldd "$cpmu" | awk '/libcpmu/ { print $3 }'); do cp "$lib" "$work/payload/lib/"; done
}

# guest_run TIMEOUT_SECONDS SCRIPT [RUNNER OPTION ...]: runs SCRIPT with sh in
# the guest (the runner given the options too); fails the test unless the
# guest ran it to the end.
guest_run() {
  local timeout=$1 script=$2
  shift 2
  "$runner" --topology switch --timeout "$timeout" --copy "$work/payload" --out "$work/out" "$@" -- \
    sh -c "export LD_LIBRARY_PATH=/payload/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
$script"
  local status=$?
  case $status in
    0) ;;
    124) fail "the guest run hit its timeout" ;;
    125) fail "the guest never reported a status (QEMU error or boot failure; output above)" ;;
    *) fail "the guest command exited $status" ;;
  esac
}
