#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build zvmo.ko for the kernel whose build tree is $1, into
# build/<kernel release>/, so builds for different kernels coexist.
# Kbuild writes objects beside the sources of M=, so the output directory
# mirrors the sources as symlinks.
set -euo pipefail

kdir=${1:?usage: build-module.sh KDIR [make args...]}
shift
top=$(cd "$(dirname "$0")/.." && pwd)

# The release the kernel reports (uname -r), which Debian's headers keep in
# utsrelease.h; include/config/kernel.release may differ from it.
krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$kdir/include/generated/utsrelease.h")
[ -n "$krel" ] || { echo "build-module.sh: no kernel release in $kdir" >&2; exit 1; }
out=$top/build/$krel

mkdir -p "$out"
# Refresh the mirror: drop links whose source is gone, link what is new.
find "$out" -type l ! -exec test -e {} \; -delete
ln -sf "$top/Kbuild" "$out/Kbuild"
for dir in zvmo uapi; do
	(cd "$top" && find "$dir" -type f \( -name '*.[ch]' -o -name Kbuild \)) |
	while read -r f; do
		mkdir -p "$out/$(dirname "$f")"
		[ -L "$out/$f" ] || ln -s "$top/$f" "$out/$f"
	done
done

make -C "$kdir" M="$out" W=1 CONFIG_ZVMO_WERROR=y "$@" modules
