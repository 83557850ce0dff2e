#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check's packaging suite, on the host (as root): build the Debian
# packages, run lintian on them, install them, let DKMS build the module
# for every installed kernel that has headers, check what landed where,
# build a program against the installed library, then purge it all again.
# Prints kselftest-style results and a "# Totals:" line for check.sh.
# pipefail: so no grep -q after a pipe, which can end the pipe's writer
# with SIGPIPE and fail the pipe by chance.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/packages
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
pkgs=(zvmo-dkms libzvmo1 libzvmo-dev zvmo-tools)
# What purge() takes away too: the debug symbols dh_strip makes.
dbgsym=(libzvmo1-dbgsym zvmo-tools-dbgsym)
. "$top/scripts/tap.sh"

purge() {
	local p installed=()
	for p in "${dbgsym[@]}" "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep installed >/dev/null &&
			installed+=("$p")
	done
	[ ${#installed[@]} -eq 0 ] || dpkg --purge "${installed[@]}"
}

versions_agree() {
	local lib deb mod
	lib=$(sed -n 's/^VERSION := //p' "$top/userlib/Makefile")
	deb=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
	mod=$(sed -n 's/^MODULE_VERSION("\(.*\)");$/\1/p' "$top/zvmo/main.c")
	echo "dkms.conf $version, libzvmo $lib, debian $deb, module $mod"
	[ "$version" = "$lib" ] && [ "$version" = "$deb" ] && [ "$version" = "$mod" ]
}

build() {
	"$top/scripts/packages.sh" "$out" &&
	for p in "${pkgs[@]}"; do
		ls "$out/${p}_${version}_"*.deb || return 1
	done
}

# Errors and warnings fail; lintian's informational tags do not.
lint() {
	lintian --fail-on error,warning \
		"$out"/zvmo_"${version}"_*.changes
}

# contains PACKAGE PATH...: the package ships each PATH.
contains() {
	local deb list p
	deb=$(ls "$out/${1}_${version}_"*.deb) || return 1
	shift
	list=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\.||')
	for p in "$@"; do
		grep -qx "$p" <<<"$list" || { echo "missing $p"; echo "$list"; return 1; }
	done
}

contents() {
	contains zvmo-dkms /usr/src/zvmo-"$version"/dkms.conf \
		/usr/src/zvmo-"$version"/Kbuild \
		/usr/src/zvmo-"$version"/zvmo/main.c \
		/usr/src/zvmo-"$version"/zvmo/cow/cow_pages.c \
		/usr/src/zvmo-"$version"/zvmo/pager/pager.c \
		/usr/src/zvmo-"$version"/uapi/zvmo.h \
		/usr/lib/udev/rules.d/60-zvmo.rules &&
	contains libzvmo1 /usr/lib/"$arch"/libzvmo.so.1.0.0 \
		/usr/lib/"$arch"/libzvmo.so.1 &&
	contains libzvmo-dev /usr/include/zvmo/zvmo.h /usr/include/zvmo/zx.h \
		/usr/include/zvmo/uapi/zvmo.h /usr/lib/"$arch"/libzvmo.so \
		/usr/lib/"$arch"/libzvmo.a /usr/lib/"$arch"/pkgconfig/libzvmo.pc \
		/usr/share/man/man3/zvmo.3.gz \
		/usr/share/man/man3/zvmo_vmo_create.3.gz &&
	contains zvmo-tools /usr/bin/zvmo-stat /usr/share/man/man1/zvmo-stat.1.gz
}

install_all() {
	local p debs=()
	purge
	for p in "${pkgs[@]}"; do
		debs+=("$(ls "$out/${p}_${version}_"*.deb)")
	done
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${debs[@]}"
}

# Installed kernels with headers, as DKMS sees them.
kernels() {
	local d
	for d in /lib/modules/*/build; do
		[ -e "$d/include/generated/utsrelease.h" ] && basename "$(dirname "$d")"
	done
}

dkms_builds() {
	local k found=0 ko
	for k in $(kernels); do
		found=1
		dkms install zvmo/"$version" -k "$k" || return 1
		ko=$(ls /lib/modules/"$k"/updates/dkms/zvmo.ko* 2>/dev/null) || {
			echo "no zvmo.ko for $k"; return 1; }
		[ "$(modinfo -F version "$ko")" = "$version" ] || return 1
		modinfo -F vermagic "$ko" | grep "^$k " >/dev/null || return 1
		modprobe --dry-run -S "$k" zvmo || return 1
	done
	[ "$found" = 1 ] || { echo "no kernel with headers"; return 1; }
	dkms status zvmo
}

# A program against the installed library, shared and static, through
# pkg-config: it runs, and without the module it is told ENOENT.
library() {
	local dir rc
	dir=$(mktemp -d)
	cat >"$dir/t.c" <<'PROG'
#include <errno.h>
#include <stdio.h>
#include <zvmo/zvmo.h>
#include <zvmo/zx.h>

int main(void)
{
	zx_handle_t vmo;
	int fd = zvmo_open();
	zx_status_t st = zx_vmo_create(4096, 0, &vmo);

	if (fd >= 0) {
		printf("the module is loaded: %d\n", zvmo_vmo_create(4096, 0, 0));
		return st == ZX_OK ? 0 : 1;
	}
	printf("zvmo_open: %d, zx_vmo_create: %d\n", fd, st);
	return fd == -ENOENT ? 0 : 1;
}
PROG
	(cd "$dir" &&
	 gcc -Wall -Werror -o t t.c $(pkg-config --cflags --libs libzvmo) &&
	 ldd ./t | grep -E "libzvmo.so.1 => (/usr)?/lib/$arch/libzvmo.so.1" \
		>/dev/null &&
	 ./t &&
	 gcc -Wall -Werror -static -o ts t.c \
		$(pkg-config --static --cflags --libs libzvmo) &&
	 ./ts)
	rc=$?
	rm -rf "$dir"
	return $rc
}

tools() {
	/usr/bin/zvmo-stat --help | grep -- --tree >/dev/null &&
	man -w zvmo-stat && man -w 3 zvmo_vmo_create && man -w 3 zvmo_vmo_write &&
	test -s /usr/lib/udev/rules.d/60-zvmo.rules
}

purged() {
	purge || return 1
	[ ! -e /usr/src/zvmo-"$version" ] || { echo "/usr/src/zvmo-$version left"; return 1; }
	! ls /lib/modules/*/updates/dkms/zvmo.ko* 2>/dev/null || return 1
	! dkms status zvmo | grep . >/dev/null || return 1
	[ ! -e /usr/lib/"$arch"/libzvmo.so.1 ] && [ ! -e /usr/bin/zvmo-stat ]
}

# make install into a staging directory: everything lands under DESTDIR,
# the library and tools under PREFIX.
make_install() {
	local d rc
	d=$(mktemp -d)
	make -s -C "$top" install DESTDIR="$d" PREFIX=/opt/zvmo MODULES_LOAD=1 &&
	(cd "$d" &&
	 ls lib/modules/*/updates/zvmo.ko* &&
	 test -x opt/zvmo/bin/zvmo-stat &&
	 test -f opt/zvmo/lib/libzvmo.so.1.0.0 &&
	 test "$(readlink opt/zvmo/lib/libzvmo.so.1)" = libzvmo.so.1.0.0 &&
	 test -f opt/zvmo/lib/libzvmo.a &&
	 grep -qx 'libdir=/opt/zvmo/lib' opt/zvmo/lib/pkgconfig/libzvmo.pc &&
	 test -f opt/zvmo/include/zvmo/uapi/zvmo.h &&
	 test -f opt/zvmo/share/man/man3/zvmo_vmo_create.3 &&
	 test -f opt/zvmo/share/man/man1/zvmo-stat.1 &&
	 test -f usr/lib/udev/rules.d/60-zvmo.rules &&
	 test -f usr/lib/modules-load.d/zvmo.conf &&
	 objdump -p opt/zvmo/lib/libzvmo.so.1.0.0 | grep 'SONAME *libzvmo.so.1$' >/dev/null)
	rc=$?
	rm -rf "$d"
	return $rc
}

echo "TAP version 13"
if [ "$(id -u)" != 0 ]; then
	echo "1..1"
	tap_skip "the Debian packages" "installing packages needs root"
	tap_totals
	exit 0
fi
echo "1..10"
tap_result "versions agree" versions_agree
tap_result "make install stages every file under DESTDIR and PREFIX" make_install
tap_result "dpkg-buildpackage builds ${pkgs[*]}" build
if [ "$tap_fail" = 0 ]; then
	tap_result "lintian finds no error or warning" lint
	tap_result "the packages hold their files" contents
	tap_result "the packages install" install_all
	tap_result "DKMS builds and installs zvmo.ko for every kernel with headers" dkms_builds
	tap_result "a program builds against the installed libzvmo" library
	tap_result "zvmo-stat, the man pages and the udev rule are installed" tools
	tap_result "purging the packages leaves nothing behind" purged
else
	for t in lint contents install dkms library tools purged; do
		tap_skip "$t" "the packages did not build"
	done
fi
tap_totals
[ "$tap_fail" = 0 ]
