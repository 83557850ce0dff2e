#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (selftests/vmtest.sh): the whole kselftest suite again
# with failslab and fail_page_alloc failing zvmo's own allocations, once per
# round. A round is KIND:PERCENT, where KIND is failslab, fail_page_alloc
# or both:
#
#   run_injected.sh "failslab:10 fail_page_alloc:10 both:40" PROG...
#
# Under injection a test may fail: an allocation it needed was refused and
# it saw ENOMEM. What must never happen is what this checks, for every
# program in every round, each reported as one kselftest result:
#   - a hang: a test the harness stopped by timeout, or a program still
#     running after its time;
#   - a crash: a test killed by a signal, or a program that died before
#     reporting;
#   - a leak: a live counter of /proc/zvmo (VMOs, handles, pagers, pages,
#     page-list nodes, pins, the compressed store) not back to zero once the program has exited
#     and every process it left behind has been killed. (A test stopped by
#     a failed assertion may leave children blocked on a pager only it
#     would have answered: those are killed, as a user would, and what
#     they held must then be freed.)
# The kernel's own reports (KASAN, lockdep, warnings, hung tasks, kmemleak)
# and the module's unload are vmtest.sh's to judge, as for every run.
# vmo_faultinject_test runs its own injection and is left out. With
# ZVMO_INJECT_VERBOSE set, every program's output is shown, not only a
# failing one's.
rounds=$1
shift
# What the tests that check every result let by under injection (a short
# transfer, say) they let by only when told.
export ZVMO_INJECTING=1
n=0 pass=0 fail=0 total=0
for t in "$@"; do
	case $(basename "$t") in
	vmo_faultinject_test) ;;
	*) n=$((n + $(echo "$rounds" | wc -w))) ;;
	esac
done
# Kill every process but this one and init: what a program left behind.
kill_strays() {
	local p comm
	strays=0 stray_names=
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = 1 ] || [ "$p" = $$ ] && continue
		[ -e "/proc/$p/exe" ] || continue	# a kernel thread
		comm=$(cat "/proc/$p/comm" 2>/dev/null)
		# busybox timeout's watcher, which goes by itself within 1 s
		[ "$comm" = timeout ] && continue
		kill -9 "$p" 2>/dev/null || continue
		strays=$((strays + 1))
		stray_names="$stray_names $comm"
	done
}

echo "TAP version 13"
echo "1..$n"
i=0
for round in $rounds; do
	kind=${round%%:*}
	pct=${round#*:}
	case $kind in
	both) set_up="failslab $pct fail_page_alloc $pct" ;;
	*) set_up="$kind $pct" ;;
	esac
	echo "# zvmo: injection round $round"
	for t in "$@"; do
		name=$(basename "$t")
		[ "$name" = vmo_faultinject_test ] && continue
		i=$((i + 1))
		case $name in
		*_user_test) cmd="su -s /bin/sh nobody -c ./$name" ;;
		*) cmd="./$name" ;;
		esac
		# shellcheck disable=SC2086
		./zvmo_inject start $set_up || {
			echo "not ok $i $round $name: cannot set up injection"
			fail=$((fail + 1))
			continue
		}
		t0=$(date +%s)
		timeout -s KILL 900 $cmd >/tmp/inj.out 2>&1
		rc=$?
		secs=$(($(date +%s) - t0))
		injected=$(./zvmo_inject stop)
		kill_strays
		total=$((total + injected))
		tests=$(grep -c '^#  RUN ' /tmp/inj.out)
		failed=$(grep -c '^not ok ' /tmp/inj.out)
		why=
		if [ "$rc" = 137 ]; then
			why="still running after 900 s: hung"
		elif grep -q 'Test terminated by timeout' /tmp/inj.out; then
			why="a test hung: $(grep -m 1 'terminated by timeout' /tmp/inj.out)"
		elif grep -q 'terminated unexpectedly by signal' /tmp/inj.out; then
			why="a test crashed: $(grep -m 1 'unexpectedly by signal' /tmp/inj.out)"
		elif ! grep -q '^# Totals: ' /tmp/inj.out; then
			why="died with status $rc before reporting"
		elif ! ./zvmo_inject settled 20 >/tmp/inj.left; then
			why="leaked: $(tr '\n' ' ' </tmp/inj.left)"
		fi
		if [ -n "${ZVMO_INJECT_VERBOSE:-}" ]; then
			sed -e 's/^/# | /' -e 's/^# | # Totals:/# | totals:/' /tmp/inj.out
		fi
		if [ -z "$why" ]; then
			echo "ok $i $round $name: $injected failures injected, $failed of $tests tests failed, $strays processes left behind$stray_names, ${secs} s"
			pass=$((pass + 1))
		else
			# The program's own totals are not ours to count.
			sed -e 's/^/# | /' -e 's/^# | # Totals:/# | totals:/' /tmp/inj.out
			echo "not ok $i $round $name: $why ($injected failures injected)"
			fail=$((fail + 1))
			./zvmo_inject settled 20 >/dev/null
		fi
	done
done
rm -f /tmp/inj.out /tmp/inj.left
echo "# zvmo: $total failures injected in all"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
