#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the host unit tests, the documentation and Debian packaging
# suites (scripts/check-docs.sh, scripts/check-packages.sh), then every
# kselftest in the VM on every supported kernel, and one closing line
# counting every test of every suite on every kernel. Builds are make's
# job; this only runs (the packaging suite builds its packages itself).
#
# With --debug (make check-debug): the kselftests on the debug kernel of
# scripts/debug-kernel.sh instead, where KASAN, lockdep, kmemleak and
# DEBUG_VM watch every test; then the whole suite again under fault
# injection (selftests/run_injected.sh), once per round of
# ZVMO_INJECT_ROUNDS.
set -uo pipefail

debug=0
[ "${1:-}" = --debug ] && debug=1

top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/logs
mkdir -p "$logs"
passed=0 failed=0 skipped=0

# Add the kselftest "# Totals:" lines of log $1 to the sums; leave how many
# failures it held in $last_fails.
count() {
	local p f s
	read -r p f s < <(awk '
		/^# Totals: / {
			for (i = 3; i <= NF; i++) {
				split($i, kv, ":")
				n[kv[1]] += kv[2]
			}
		}
		END {
			print n["pass"] + n["xfail"] + 0,
			      n["fail"] + n["xpass"] + n["error"] + 0,
			      n["skip"] + 0
		}' "$1")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	last_fails=$f
}

# A suite that failed without a failing test (it crashed, or the kernel
# complained) still counts as one failure.
settle() {
	local what=$1 rc=$2 fails=$3
	if [ "$rc" != 0 ] && [ "$fails" = 0 ]; then
		echo "check: $what exited with $rc without a failing test: counted as one failure"
		failed=$((failed + 1))
	fi
}

if [ "$debug" = 0 ]; then
	echo "== host unit tests"
	make -s -C "$top/tools/testing/host" run 2>&1 | tee "$logs/host.log"
	rc=${PIPESTATUS[0]}
	count "$logs/host.log"
	settle "host unit tests" "$rc" "$last_fails"

	echo "== documentation"
	"$top/scripts/check-docs.sh" 2>&1 | tee "$logs/docs.log"
	rc=${PIPESTATUS[0]}
	count "$logs/docs.log"
	settle "the documentation suite" "$rc" "$last_fails"

	echo "== Debian packages"
	"$top/scripts/check-packages.sh" 2>&1 | tee "$logs/packages.log"
	rc=${PIPESTATUS[0]}
	count "$logs/packages.log"
	settle "the packaging suite" "$rc" "$last_fails"
fi

tests=$(make -s -C "$top/selftests" print-tests)
files=()
names=()
for t in $tests; do
	files+=(--file "$t")
	names+=("$(basename "$t")")
done
# The introspection tool, which vmo_stat_test runs.
files+=(--file "$top/build/tools/zvmo-stat")
for h in $(make -s -C "$top/selftests" print-helpers); do
	files+=(--file "$h")
done
rounds=${ZVMO_INJECT_ROUNDS:-failslab:5 fail_page_alloc:5 both:1 both:25}

# One VM run per kernel: "kernel module memory-MiB timeout-s" per line.
if [ "$debug" = 1 ]; then
	tree=$("$top/scripts/debug-kernel.sh") || exit 1
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$tree/include/generated/utsrelease.h")
	runs="$tree/arch/x86/boot/bzImage $top/build/$rel/zvmo.ko 1536 2400"
else
	runs=$("$top/scripts/kernels.sh" |
	       while read -r k; do echo "$k $top/build/$k/zvmo.ko 512 600"; done)
fi
if [ -z "$runs" ]; then
	echo "check: no supported kernel under /boot: run make deps"
	failed=$((failed + 1))
fi
while read -r kernel module mem timeout; do
	[ -n "$kernel" ] || continue
	name=$(basename "$(dirname "$module")")
	echo "== kselftests on $name"
	"$top/selftests/vmtest.sh" --kernel "$kernel" --module "$module" \
		--mem "$mem" --timeout "$timeout" "${files[@]}" \
		"$top/selftests/run_tests.sh" "${names[@]}" 2>&1 |
		tee "$logs/vm-$name.log"
	rc=${PIPESTATUS[0]}
	count "$logs/vm-$name.log"
	settle "the VM on $name" "$rc" "$last_fails"
	[ "$debug" = 1 ] || continue

	echo "== kselftests under fault injection on $name: $rounds"
	"$top/selftests/vmtest.sh" --kernel "$kernel" --module "$module" \
		--mem "$mem" --timeout "$((timeout * 2))" "${files[@]}" \
		"$top/selftests/run_injected.sh" "$rounds" "${names[@]}" 2>&1 |
		tee "$logs/vm-$name-injected.log"
	rc=${PIPESTATUS[0]}
	count "$logs/vm-$name-injected.log"
	settle "the injected VM on $name" "$rc" "$last_fails"
done <<<"$runs"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
