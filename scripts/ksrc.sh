#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract the few files zvmo uses from Debian's linux-source-6.12 tarball
# (the kselftest harness, checkpatch and kernel-doc) into build/ksrc, once
# per tarball. Prints the directory.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "ksrc.sh: linux-source-6.12 is not installed" >&2; exit 1; }
out=$top/build/ksrc
stamp=$(stat -c '%s %Y' "$tarball")

if [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	tar -xf "$tarball" -C "$out" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' \
		'*/scripts/kernel-doc'
	echo "$stamp" >"$out/.stamp"
fi
echo "$out"
