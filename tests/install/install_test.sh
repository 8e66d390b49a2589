#!/usr/bin/env bash
# cmake --install lays out the programs, libcpmu with its headers and a
# pkg-config file, the man pages and the event files under any prefix, and a
# program builds against the installed library through pkg-config alone.
# A moved installation still reads the event files of its own prefix. In a
# CPMU_STATIC build the programs carry libcpmu: bin/cpmu alone, copied to an
# empty directory, runs.
#   usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null

static=false
grep -q '^CPMU_STATIC:BOOL=ON$' "$build/CMakeCache.txt" && static=true
if $static; then library=lib/libcpmu.a; pkg_static=--static; else library=lib/libcpmu.so; pkg_static=; fi

for f in bin/cpmu $library lib/pkgconfig/cpmu.pc include/cpmu/platform.hpp include/cpmu/regs/cpmu.hpp \
         share/man/man1/cpmu.1 share/man/man5/cpmu-events.5 share/cpmu/events/cxl/standard.json \
         share/cpmu/events/vendors/cxlsim/cxlsim.json share/cpmu/schema/cpmu.schema.json include/cpmu/json.hpp \
         sbin/cpmu-exporter share/man/man8/cpmu-exporter.8 lib/systemd/system/cpmu-exporter.service \
         share/cpmu/dashboards/cpmu-grafana.json share/cpmu/dashboards/cpmu-alerts.rules.yml; do
  [ -e "$prefix/$f" ] || { echo "install_test: $f is not installed" >&2; exit 1; }
done

"$prefix/bin/cpmu" --version | grep -q '^cpmu [0-9]' || { echo "install_test: installed cpmu does not run" >&2; exit 1; }
"$prefix/sbin/cpmu-exporter" --version | grep -q '^cpmu-exporter [0-9]' ||
  { echo "install_test: installed cpmu-exporter does not run" >&2; exit 1; }
grep -q "^ExecStart=$prefix/sbin/cpmu-exporter " "$prefix/lib/systemd/system/cpmu-exporter.service" ||
  { echo "install_test: the systemd unit does not start the installed cpmu-exporter" >&2; exit 1; }

needs_libcpmu=false
readelf -d "$prefix/bin/cpmu" | grep -q 'NEEDED.*libcpmu' && needs_libcpmu=true
if $static; then
  $needs_libcpmu && { echo "install_test: a CPMU_STATIC cpmu still needs libcpmu.so" >&2; exit 1; }
  lone=$(mktemp -d)
  cp "$prefix/bin/cpmu" "$lone/"
  "$lone/cpmu" list --sim | grep -q 'cpmu0: ' || { rm -rf "$lone"; echo "install_test: a lone static cpmu does not list the simulated machine" >&2; exit 1; }
  rm -rf "$lone"
else
  $needs_libcpmu || { echo "install_test: cpmu does not use the shared libcpmu" >&2; exit 1; }
fi

# Moved after installing, the prefix's own event directory is found (relative
# to the library and the program), with a vendor file dropped into it.
moved="$prefix/moved"
mkdir "$moved"
for d in bin lib include share; do [ -d "$prefix/$d" ] && mv "$prefix/$d" "$moved/"; done
mkdir -p "$moved/share/cpmu/events/vendors/probe"
cat > "$moved/share/cpmu/events/vendors/probe/probe.json" <<'JSON'
{"schema_version": 1,
 "groups": [{"vid": 4660, "gid": 7, "name": "relocated probe group"}],
 "events": [{"name": "relocated_probe_event", "vid": 4660, "gid": 7, "bit": 0, "unit": "events",
             "description": "Found in the moved prefix."}]}
JSON
catalogue=$(env -u CPMU_EVENTS_PATH XDG_CONFIG_HOME="$prefix/no-config" "$moved/bin/cpmu" events --catalogue) ||
  { echo "install_test: cpmu events --catalogue failed in the moved prefix" >&2; exit 1; }
grep -q 'relocated_probe_event' <<<"$catalogue" ||
  { echo "install_test: the moved prefix's event file was not loaded" >&2; exit 1; }

cat > "$prefix/probe.cpp" <<'CPP'
#include <cpmu/pci_address.hpp>
int main() {
  auto a = cpmu::PciAddress::parse("0d:00.0");
  return a && a->to_string() == "0000:0d:00.0" ? 0 : 1;
}
CPP
# shellcheck disable=SC2086
flags=$(PKG_CONFIG_PATH="$moved/lib/pkgconfig" pkg-config $pkg_static --cflags --libs cpmu)
# shellcheck disable=SC2086
c++ "$prefix/probe.cpp" $flags -Wl,-rpath,"$moved/lib" -o "$prefix/probe"
"$prefix/probe"
echo "install_test: ok"
