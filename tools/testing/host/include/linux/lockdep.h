/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: lockdep_assert_held() checks that the lock is taken, which
 * in the single-threaded tests means taken by the caller. Works on the
 * shim's struct mutex (mutex.h), the only lock the shim has.
 */
#ifndef _SHIM_LINUX_LOCKDEP_H
#define _SHIM_LINUX_LOCKDEP_H

#include <linux/bug.h>

#define lockdep_assert_held(l)		WARN_ON(!(l)->shim_locked)
#define lockdep_assert_not_held(l)	WARN_ON((l)->shim_locked)

#endif /* _SHIM_LINUX_LOCKDEP_H */
