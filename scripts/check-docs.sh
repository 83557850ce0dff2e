#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check's documentation suite: Documentation/ builds with Sphinx
# without a warning (make htmldocs), and the man pages render without a
# warning and cover every function of the native API (make man). Prints
# kselftest-style results and a "# Totals:" line for check.sh.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
n=0 pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

result() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$log" 2>&1; then
		echo "ok $n $name"
		pass=$((pass + 1))
	else
		sed 's/^/# /' "$log" | tail -n 40
		echo "not ok $n $name"
		fail=$((fail + 1))
	fi
}

echo "TAP version 13"
echo "1..2"
result "Sphinx builds Documentation/ without a warning" \
	"$top/scripts/htmldocs.sh" "$top/build/htmldocs"
result "the man pages render without a warning and cover the API" \
	"$top/scripts/man.sh" --check "$top/build/man"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
