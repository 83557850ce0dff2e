#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: checkpatch --strict, sparse and kernel-doc over the module's
# sources, with the tools from Debian's linux-source-6.12.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ksrc=$(scripts/ksrc.sh) || exit 1
srcs=$(find zvmo uapi -name '*.[ch]' | sort)
rc=0

echo "== checkpatch --strict"
# The files are a module outside the tree: no MAINTAINERS, no tree.
cp=(perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet -f)
"${cp[@]}" $(echo "$srcs" | grep -v '^uapi/') || rc=1
# BIT() is kernel-internal: a uapi header cannot use it.
"${cp[@]}" --ignore BIT_MACRO $(echo "$srcs" | grep '^uapi/') || rc=1

echo "== kernel-doc"
out=$(perl "$ksrc/scripts/kernel-doc" -none -Wall $srcs 2>&1)
if [ -n "$out" ]; then
	echo "$out"
	rc=1
fi

echo "== reStructuredText"
# Documentation/ through Sphinx, where a warning fails; the man pages
# through rst2man and groff, where a warning fails too.
scripts/htmldocs.sh build/htmldocs >/dev/null || rc=1
scripts/man.sh --check build/man >/dev/null || rc=1

echo "== sparse"
kdir=/lib/modules/$(scripts/kernels.sh | tail -n 1)/build
out=$(scripts/build-module.sh "$kdir" C=2 CHECK="sparse -Wno-decl" 2>&1 |
      grep -E 'warning|error' || true)
if [ -n "$out" ]; then
	echo "$out"
	rc=1
fi
[ "$rc" = 0 ] && echo "lint: clean"
exit "$rc"
