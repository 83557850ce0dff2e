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
# Debian's docutils, so that a warning in Documentation/ fails the lint.
for f in Documentation/*.rst; do
	/usr/bin/python3 - "$f" <<'PY' || rc=1
import sys
import docutils.core
import docutils.utils

src = open(sys.argv[1]).read()
try:
    docutils.core.publish_doctree(src, source_path=sys.argv[1],
                                  settings_overrides={'halt_level': 2,
                                                      'report_level': 2})
except docutils.utils.SystemMessage as e:
    print(e)
    sys.exit(1)
PY
done

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
