#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the release of every supported kernel (6.1.x and 6.12.x) that is
# installed under /boot with its headers, oldest first.
shopt -s nullglob
for k in /boot/vmlinuz-6.1.* /boot/vmlinuz-6.12.*; do
	rel=${k#/boot/vmlinuz-}
	[ -d "/lib/modules/$rel/build" ] && echo "$rel"
done | sort -uV
