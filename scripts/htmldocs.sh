#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make htmldocs: build Documentation/ as HTML with Debian's Sphinx into
# OUTDIR (build/htmldocs by default), its doctrees under build/. Any
# warning fails the build. Needs python3-sphinx (make deps).
#
#   scripts/htmldocs.sh [OUTDIR]
set -euo pipefail

[ $# -le 1 ] || { echo "usage: htmldocs.sh [OUTDIR]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/htmldocs}
# OUTDIR is the caller's, relative to where it was run from.
mkdir -p "$out"
out=$(cd "$out" && pwd)
doctrees=$top/build/htmldocs.doctrees

sphinx=/usr/bin/sphinx-build
if [ ! -x "$sphinx" ]; then
	echo "htmldocs.sh: no $sphinx: make deps installs python3-sphinx" >&2
	exit 1
fi

cd "$top/Documentation"
# -W: a warning is an error; --keep-going: report them all first. -E:
# read every file again, so that no warning hides in a cached doctree.
"$sphinx" -W --keep-going -E -q -b html -d "$doctrees" . "$out"
echo "htmldocs: $out/index.html"
