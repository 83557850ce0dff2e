# SPDX-License-Identifier: GPL-2.0
# Sourced by the host suites of make check (check-docs.sh,
# check-packages.sh): kselftest-style results that check.sh counts.
#
#   tap_result NAME COMMAND...	one test: COMMAND's output shows only
#				when it fails
#   tap_totals			the "# Totals:" line
tap_n=0 tap_pass=0 tap_fail=0 tap_skip=0
tap_log=$(mktemp)
trap 'rm -f "$tap_log"' EXIT

tap_result() {
	local name=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@" >"$tap_log" 2>&1; then
		echo "ok $tap_n $name"
		tap_pass=$((tap_pass + 1))
	else
		sed 's/^/# /' "$tap_log" | tail -n 40
		echo "not ok $tap_n $name"
		tap_fail=$((tap_fail + 1))
	fi
}

tap_skip() {
	tap_n=$((tap_n + 1)) tap_skip=$((tap_skip + 1))
	echo "ok $tap_n $1 # SKIP $2"
}

tap_totals() {
	echo "# Totals: pass:$tap_pass fail:$tap_fail xfail:0 xpass:0 skip:$tap_skip error:0"
}
