#!/usr/bin/env bash
# libcpmu exports its public API only: no cpmu::detail symbol (nor cxlsim's)
# may be in the shared library's dynamic symbol table, and the public API
# must be (a library that exports nothing would pass the first check). The
# direct backend is reached only through the session.
set -euo pipefail
lib=$1
symbols=$(nm -D --defined-only --demangle "$lib")
leaked=$(grep -E 'cpmu::(sim::)?detail::' <<<"$symbols" || true)
if [ -n "$leaked" ]; then
  echo "FAIL: $lib exports $(wc -l <<<"$leaked") internal symbols:"
  echo "$leaked"
  exit 1
fi
# The direct backend programs registers: the only public way to it is
# Session::count(), which never opens it on a CPMU the kernel's driver owns.
if grep -qF 'cpmu::open_direct_backend(' <<<"$symbols"; then
  echo "FAIL: $lib exports open_direct_backend(): a caller could program a kernel-owned CPMU around the session"
  exit 1
fi
for api in 'cpmu::Session::open(' 'cpmu::Session::count(' 'cpmu::discover(' 'cpmu::Monitor::create(' 'cpmu::open_platform('; do
  grep -qF "$api" <<<"$symbols" || { echo "FAIL: $lib does not export $api"; exit 1; }
done
echo "OK: $(grep -c ' T ' <<<"$symbols") functions exported, none of them cpmu::detail"
