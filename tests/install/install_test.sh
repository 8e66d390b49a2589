#!/usr/bin/env bash
# cmake --install lays out the programs, libcpmu with its headers and a
# pkg-config file, the man pages and the event files under any prefix, and a
# program builds against the installed library through pkg-config alone.
#   usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null

for f in bin/cpmu lib/libcpmu.so lib/pkgconfig/cpmu.pc include/cpmu/platform.hpp include/cpmu/regs/cpmu.hpp \
         share/man/man1/cpmu.1 share/man/man5/cpmu-events.5 share/cpmu/events/cxl/standard.json \
         share/cpmu/events/vendors/cxlsim/cxlsim.json share/cpmu/schema/cpmu.schema.json include/cpmu/json.hpp; do
  [ -e "$prefix/$f" ] || { echo "install_test: $f is not installed" >&2; exit 1; }
done

"$prefix/bin/cpmu" --version | grep -q '^cpmu [0-9]' || { echo "install_test: installed cpmu does not run" >&2; exit 1; }

cat > "$prefix/probe.cpp" <<'CPP'
#include <cpmu/pci_address.hpp>
int main() {
  auto a = cpmu::PciAddress::parse("0d:00.0");
  return a && a->to_string() == "0000:0d:00.0" ? 0 : 1;
}
CPP
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs cpmu)
# shellcheck disable=SC2086
c++ "$prefix/probe.cpp" $flags -Wl,-rpath,"$prefix/lib" -o "$prefix/probe"
"$prefix/probe"
echo "install_test: ok"
