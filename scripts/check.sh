#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the host unit tests, then every kselftest in the VM on every
# supported kernel, and one closing line counting every test of every suite
# on every kernel. Builds are make's job; this only runs.
set -uo pipefail

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

echo "== host unit tests"
make -s -C "$top/tools/testing/host" run 2>&1 | tee "$logs/host.log"
rc=${PIPESTATUS[0]}
count "$logs/host.log"
settle "host unit tests" "$rc" "$last_fails"

tests=$(make -s -C "$top/selftests" print-tests)
files=()
names=()
for t in $tests; do
	files+=(--file "$t")
	names+=("$(basename "$t")")
done

kernels=$("$top/scripts/kernels.sh")
if [ -z "$kernels" ]; then
	echo "check: no supported kernel under /boot: run make deps"
	failed=$((failed + 1))
fi
for k in $kernels; do
	echo "== kselftests on $k"
	"$top/selftests/vmtest.sh" --kernel "$k" "${files[@]}" \
		"$top/selftests/run_tests.sh" "${names[@]}" 2>&1 |
		tee "$logs/vm-$k.log"
	rc=${PIPESTATUS[0]}
	count "$logs/vm-$k.log"
	settle "the VM on $k" "$rc" "$last_fails"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
