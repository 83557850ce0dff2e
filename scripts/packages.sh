#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build zvmo's Debian packages (zvmo-dkms, libzvmo1, libzvmo-dev,
# zvmo-tools) with dpkg-buildpackage from a copy of the tree as it stands
# (its files that git tracks or would track), so the tree's own build/ is
# left alone. The .deb, .buildinfo and .changes files land in OUTDIR
# (default build/packages).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$top/build/packages}")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
src=$out/zvmo-$version

rm -rf "$out"
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	# Tracked, and new but not ignored; not what was deleted.
	(cd "$top" && git ls-files -co --exclude-standard -z |
	 while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	 done | tar -c --null -T - -f -) | tar -x -C "$src"
else
	tar -c -C "$top" --exclude=./build -f - . | tar -x -C "$src"
fi
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "packages.sh: dpkg-buildpackage failed: $out/build.log" >&2
	exit 1
}
ls "$out"/*.deb
