#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) the debug kernel of make check-debug from Debian's
# linux-source-6.12 and scripts/debug-kernel.config, in a cache outside the
# clone keyed by the source version, the config and $recipe (bump it when
# this script changes how the kernel is built). Prints the build tree, which
# holds arch/x86/boot/bzImage and Module.symvers. Older trees are removed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${ZVMO_CACHE:-${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/zvmo}
tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
recipe=1
key=$( (echo "$srcver $recipe"; cat "$top/scripts/debug-kernel.config") |
	sha256sum | cut -c1-16)
tree=$cache/debug-kernel-$key

if [ -e "$tree/.zvmo-done" ]; then
	echo "$tree"
	exit 0
fi

echo "debug-kernel.sh: building the debug kernel in $tree (once)" >&2
rm -rf "$cache"/debug-kernel-*
mkdir -p "$tree"
tar -xf "$tarball" -C "$tree" --strip-components=1
cd "$tree"
make -s x86_64_defconfig >&2
make -s kvm_guest.config >&2
./scripts/kconfig/merge_config.sh -m .config \
	"$top/scripts/debug-kernel.config" >/dev/null
make -s olddefconfig >&2
# merge_config drops what Kconfig refuses: say so rather than test less.
missing=0
while IFS= read -r line; do
	case $line in CONFIG_*=y)
		grep -qx "$line" .config || {
			echo "debug-kernel.sh: not set: $line" >&2
			missing=1
		} ;;
	esac
done <"$top/scripts/debug-kernel.config"
[ "$missing" = 0 ] || exit 1
make -s -j"$(($(nproc) + 1))" LOCALVERSION=-zvmo-debug bzImage modules >&2
touch .zvmo-done
echo "$tree"
