#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check's documentation suite: Documentation/ builds with Sphinx
# without a warning (make htmldocs), and the man pages render without a
# warning and cover every function of the native API (make man). Prints
# kselftest-style results and a "# Totals:" line for check.sh.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/tap.sh"

echo "TAP version 13"
echo "1..2"
tap_result "Sphinx builds Documentation/ without a warning" \
	"$top/scripts/htmldocs.sh" "$top/build/htmldocs"
tap_result "the man pages render without a warning and cover the API" \
	"$top/scripts/man.sh" --check "$top/build/man"
tap_totals
[ "$tap_fail" = 0 ]
