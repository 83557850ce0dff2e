#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot an installed kernel in QEMU with zvmo.ko loaded and run one program.
#
#   selftests/vmtest.sh [--kernel VERSION|IMAGE] [--file PATH]... [--user]
#                       [--timeout SECONDS] [--mem MIB] [--module KO]
#                       PROGRAM [ARG...]
#
# Builds nothing. VERSION names a kernel installed under /boot (default: the
# newest 6.12); a path names a kernel image, such as the debug kernel, and
# then --module is needed. The initramfs holds busybox, the zvmo.ko built
# for the kernel (build/<VERSION>/zvmo.ko unless --module says otherwise),
# the modules it needs from the kernel's own (its dependencies and soft
# dependencies, as modprobe would load them, for an installed kernel), PROGRAM
# and every --file, all in the VM's working directory. PROGRAM runs as root,
# or as an unprivileged user with --user; its output is relayed live and its
# exit status is ours.
#
# The verdict does not come from scraping the console: the VM's init writes
# the program's status, the result of rmmod and the whole kernel log to
# serial ports of their own. A kernel warning, oops, KASAN, lockdep, kmemleak
# or hung-task report from the moment the module is loaded fails the run
# even if the program passed (one during boot is shown as a note), and so does
# a module that will not unload (it leaked a reference). A report during
# boot that turned lockdep off (the debug kernel under emulation sometimes
# takes a stray interrupt that early) boots the VM again, up to three times,
# so that every run is checked. A VM that does not finish within the
# timeout is killed and reported.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=
files=()
user=0
timeout=${VMTEST_TIMEOUT:-600}
mem=${VMTEST_MEM:-512}
module=
append_extra=${VMTEST_APPEND:-}

usage() {
	sed -n '4,8s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?}; shift 2 ;;
	--file) files+=("${2:?}"); shift 2 ;;
	--user) user=1; shift ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--module) module=${2:?}; shift 2 ;;
	--help|-h) usage ;;
	--) shift; break ;;
	-*) echo "vmtest.sh: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
program=$1
shift

if [ -z "$kernel" ]; then
	kernel=$(cd /boot && ls vmlinuz-6.12* 2>/dev/null | sed 's/^vmlinuz-//' |
		 sort -V | tail -n 1)
	[ -n "$kernel" ] || { echo "vmtest.sh: no 6.12 kernel in /boot" >&2; exit 2; }
fi
case $kernel in
*/*)
	vmlinuz=$kernel
	[ -n "$module" ] || { echo "vmtest.sh: --module is needed with a kernel image" >&2; exit 2; }
	;;
*)
	vmlinuz=/boot/vmlinuz-$kernel
	module=${module:-$top/build/$kernel/zvmo.ko}
	;;
esac
[ -r "$vmlinuz" ] || { echo "vmtest.sh: no readable $vmlinuz" >&2; exit 2; }
[ -r "$module" ] || { echo "vmtest.sh: no $module (run make first)" >&2; exit 2; }
[ -e "$program" ] || { echo "vmtest.sh: no program $program" >&2; exit 2; }
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "vmtest.sh: busybox is not installed" >&2; exit 2; }
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	[ -x /bin/busybox ] && busybox=/bin/busybox
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmtest.XXXXXX")
cleanup() {
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

root=$tmp/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc,lib,t}
cp "$busybox" "$root/bin/busybox"
cp "$module" "$root/lib/zvmo.ko"
# What modprobe would load first, in its order: zvmo's dependencies (zsmalloc,
# a module in 6.1) and soft dependencies (the compressor).
mkdir -p "$root/lib/deps"
if [ -d "/lib/modules/$kernel" ]; then
	n=0
	for dep in $(modinfo -F depends "$module" | tr , ' ') \
		   $(modinfo -F softdep "$module" | sed -n 's/^pre: *//p'); do
		modprobe -S "$kernel" --show-depends "$dep" |
		sed -n 's/^insmod \([^ ]*\).*/\1/p'
	done | awk '!seen[$0]++' | while read -r ko; do
		n=$((n + 1))
		dst=$root/lib/deps/$(printf %02d $n)-$(basename "${ko%.xz}")
		case $ko in
		*.xz) xz -dc "$ko" >"$dst" ;;
		*) cp "$ko" "$dst" ;;
		esac
	done
fi
cp "$program" "$root/t/"
for f in "${files[@]}"; do
	cp -r "$f" "$root/t/"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/t:/bin/sh' >>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Quote for the VM's shell: every argument in single quotes.
quote() {
	local s
	for s in "$@"; do
		printf "'%s' " "$(printf '%s' "$s" | sed "s/'/'\\\\''/g")"
	done
}
cmd="./$(basename "$program") $(quote "$@")"
if [ "$user" = 1 ]; then
	cmd="su -s /bin/sh nobody -c $(quote "$cmd")"
fi

cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin HOME=/t
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
chmod 1777 /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo 30 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
echo 1 >/proc/sys/kernel/hung_task_panic 2>/dev/null
[ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
chmod 755 /t
# A report while booting turns lockdep off for the whole run: boot again.
if grep -q 'debug_locks: *0\$' /proc/lockdep_stats 2>/dev/null; then
	dmesg >/dev/ttyS2
	echo "status reboot" >/dev/ttyS1
	sync
	poweroff -f
fi
for ko in /lib/deps/*.ko; do
	[ -e "\$ko" ] && insmod "\$ko"
done
echo "vmtest: loading zvmo" >/dev/kmsg
if insmod /lib/zvmo.ko; then
	cd /t
	$cmd
	rc=\$?
	cd /
	# Scan while the module is loaded, so its frames have names: a leak
	# of ours is one whose backtrace runs through zvmo.
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		echo scan >/sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak >/tmp/kmemleak
	fi
	rmmod zvmo; rm_rc=\$?
else
	rc=126; rm_rc=0
fi
if [ -s /tmp/kmemleak ] && grep -q zvmo /tmp/kmemleak; then
	cat /tmp/kmemleak >/dev/ttyS2
fi
dmesg >/dev/ttyS2
echo "status \$rc rmmod \$rm_rc" >/dev/ttyS1
sync
poweroff -f
EOF
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$tmp/initrd"

accel="-accel tcg"
qemu=(qemu-system-x86_64 $accel -cpu max -smp 2 -m "$mem"
      -kernel "$vmlinuz" -initrd "$tmp/initrd"
      -append "console=ttyS0 loglevel=5 panic=-1 oops=panic rdinit=/init $append_extra"
      -display none -monitor none -no-reboot
      -serial stdio
      -serial "file:$tmp/status"
      -serial "file:$tmp/klog")

for attempt in 1 2 3; do
	: >"$tmp/status"
	: >"$tmp/klog"
	set +e
	timeout -s KILL "$timeout" "${qemu[@]}" </dev/null
	qemu_rc=$?
	set -e
	tr -d '\r' <"$tmp/status" | grep -aq '^status reboot' || break
	echo "vmtest.sh: note: the kernel reported a problem while booting, which turned lock checking off; booting again:" >&2
	grep -aE 'BUG:|WARNING:|KASAN' "$tmp/klog" | head -n 3 | sed 's/^/vmtest.sh:   /' >&2
done
timed_out=0
[ "$qemu_rc" = 137 ] && timed_out=1

verdict=0
status=$(tr -d '\r' <"$tmp/status" | grep -a '^status ' | tail -n 1 || true)
if [ "$timed_out" = 1 ]; then
	echo "vmtest.sh: VM killed after ${timeout}s: hung" >&2
	verdict=124
elif [ -z "$status" ]; then
	echo "vmtest.sh: VM stopped without a status: kernel crashed?" >&2
	verdict=125
elif [ "$status" = "status reboot" ]; then
	echo "vmtest.sh: the kernel turned lock checking off while booting, three times" >&2
	verdict=125
else
	set -- $status
	verdict=$2
	if [ "$4" != 0 ]; then
		echo "vmtest.sh: rmmod zvmo failed: the module leaked a reference" >&2
		[ "$verdict" = 0 ] && verdict=1
	fi
fi

bad='WARNING:|BUG:|Oops|general protection fault|KASAN|UBSAN|'
bad+='possible circular locking|possible recursive locking|'
bad+='inconsistent lock state|lock held when returning|'
bad+='suspicious RCU usage|blocked for more than|hung_task|'
bad+='unreferenced object|list_add corruption|list_del corruption|'
bad+='sleeping function called from invalid context|Kernel panic'
# What the kernel reported before the module was loaded happened during
# boot, not during the test: say so, but it is not the module's verdict.
awk -v boot="$tmp/boot" -v run="$tmp/run" '
	/vmtest: loading zvmo/ { loaded = 1 }
	{ print > (loaded ? run : boot) }' "$tmp/klog"
touch "$tmp/boot" "$tmp/run"
if grep -aE "$bad" "$tmp/boot" >"$tmp/bad" 2>/dev/null; then
	echo "vmtest.sh: note: the kernel reported problems while booting, before the module was loaded:" >&2
	head -n 5 "$tmp/bad" | sed 's/^/vmtest.sh:   /' >&2
fi
if grep -aE "$bad" "$tmp/run" >"$tmp/bad" 2>/dev/null; then
	echo "vmtest.sh: the kernel reported problems:" >&2
	head -n 40 "$tmp/bad" | sed 's/^/vmtest.sh:   /' >&2
	[ "$verdict" = 0 ] && verdict=1
fi
if [ -n "${VMTEST_KLOG:-}" ]; then
	cp "$tmp/klog" "$VMTEST_KLOG"
fi
exit "$verdict"
