#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make htmldocs: build Documentation/ as HTML with Debian's Sphinx into
# OUTDIR (build/htmldocs by default), its doctrees under build/. Any
# warning fails the build. Installs python3-sphinx when it is missing.
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
	if ! command -v apt-get >/dev/null; then
		echo "htmldocs.sh: no $sphinx and no apt-get to install python3-sphinx" >&2
		exit 1
	fi
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "htmldocs.sh: installing python3-sphinx"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends python3-sphinx >/dev/null
fi

cd "$top/Documentation"
# -W: a warning is an error; --keep-going: report them all first. -E:
# read every file again, so that no warning hides in a cached doctree.
"$sphinx" -W --keep-going -E -q -b html -d "$doctrees" . "$out"
echo "htmldocs: $out/index.html"
