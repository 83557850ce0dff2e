#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the zvmo.ko that scripts/build-module.sh built for the kernel
# build tree $1 into DESTDIR/lib/modules/<release>/updates/, through
# Kbuild's modules_install, then run depmod unless DESTDIR stages it for a
# package (whose installation runs depmod). The module is not signed:
# Debian's headers have no signing key (DKMS signs with its own).
set -euo pipefail

kdir=${1:?usage: install-module.sh KDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$kdir/include/generated/utsrelease.h")
out=$top/build/$krel
[ -f "$out/zvmo.ko" ] || { echo "install-module.sh: build $out/zvmo.ko first" >&2; exit 1; }

make -C "$kdir" M="$out" INSTALL_MOD_PATH="${DESTDIR:-}" \
	INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install
if [ -z "${DESTDIR:-}" ]; then
	depmod "$krel"
fi
