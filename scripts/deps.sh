#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages zvmo needs to build, test and lint. Quiet and
# quick when everything is there already.
set -euo pipefail

pkgs=(
	build-essential qemu-system-x86 busybox-static cpio kmod file
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-source-6.12 libnl-genl-3-dev pkg-config sparse valgrind clang
	flex bison bc libelf-dev libssl-dev python3-docutils
	python3-sphinx groff-base man-db dkms dh-dkms debhelper dpkg-dev
	fakeroot lintian
)

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
	echo "deps.sh: missing ${missing[*]} and no apt-get to install them" >&2
	exit 1
fi
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
