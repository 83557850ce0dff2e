#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every benchmark in one VM run on the newest 6.12 kernel.
# Each prints "bench: <name> zvmo=<v><unit> <baseline>=<v><unit> ratio=<x>".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
benches=$(make -s -C "$top/bench" print-benches)
files=()
names=()
for b in $benches; do
	files+=(--file "$b")
	names+=("./$(basename "$b")")
done
cat >"$top/build/bench/run.sh" <<SH
#!/bin/sh
rc=0
for b in ${names[*]}; do \$b || rc=1; done
exit \$rc
SH
chmod +x "$top/build/bench/run.sh"
VMTEST_APPEND="quiet" exec "$top/selftests/vmtest.sh" --mem 1024 \
	"${files[@]}" "$top/build/bench/run.sh"
