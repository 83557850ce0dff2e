#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: run the demo program in the VM on the newest 6.12 kernel.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# Kernel messages below warning level are noise here.
# zvmo-stat goes along: the demo runs it to draw a clone tree.
VMTEST_APPEND="quiet" exec "$top/selftests/vmtest.sh" \
	--file "$top/build/tools/zvmo-stat" "$top/build/tools/zvmo-demo"
