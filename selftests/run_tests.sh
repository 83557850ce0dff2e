#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (selftests/vmtest.sh): every test program named on the
# command line, in turn. Programs whose name ends in _user_test run as an
# unprivileged user. A program that dies before printing its kselftest
# totals is counted as one failure, so a crash is never silent. Then the
# results of the module's KUnit suites, which ran when it was loaded (in
# kernels with KUnit), are reported the same way.
set -o pipefail
rc=0
for t in "$@"; do
	name=$(basename "$t")
	echo "# zvmo: running $name"
	case $name in
	*_user_test) set -- su -s /bin/sh nobody -c "./$name" ;;
	*) set -- "./$name" ;;
	esac
	"$@" 2>&1 | tee /tmp/out.$$
	t_rc=$?
	if ! grep -q '^# Totals: ' /tmp/out.$$; then
		echo "# $name died with status $t_rc before reporting"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	fi
	[ "$t_rc" = 0 ] || rc=1
	rm -f /tmp/out.$$
done
for r in /sys/kernel/debug/kunit/zvmo-*/results; do
	[ -r "$r" ] || continue
	echo "# zvmo: KUnit suite $(basename "$(dirname "$r")")"
	cat "$r"
	grep -q '^# Totals: ' "$r" ||
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	grep -q '^not ok' "$r" && rc=1
done
exit $rc
