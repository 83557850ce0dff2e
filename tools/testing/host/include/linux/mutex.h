/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: mutexes for single-threaded tests. Nothing waits; instead a
 * lock taken twice (a self-deadlock in the kernel), an unlock of a free
 * lock and a destroy of a held one are BUGs. shim_locked lets tests and
 * lockdep_assert_held() see whether a lock is held.
 */
#ifndef _SHIM_LINUX_MUTEX_H
#define _SHIM_LINUX_MUTEX_H

#include <linux/bug.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/types.h>

struct mutex {
	bool shim_locked;
	bool shim_inited;
};

static inline void mutex_init(struct mutex *lock)
{
	lock->shim_locked = false;
	lock->shim_inited = true;
}

static inline void mutex_destroy(struct mutex *lock)
{
	BUG_ON(lock->shim_locked);
	lock->shim_inited = false;
}

static inline void mutex_lock(struct mutex *lock)
{
	BUG_ON(!lock->shim_inited);
	BUG_ON(lock->shim_locked);
	lock->shim_locked = true;
}

static inline int mutex_trylock(struct mutex *lock)
{
	BUG_ON(!lock->shim_inited);
	if (lock->shim_locked)
		return 0;
	lock->shim_locked = true;
	return 1;
}

static inline void mutex_unlock(struct mutex *lock)
{
	BUG_ON(!lock->shim_locked);
	lock->shim_locked = false;
}

static inline bool mutex_is_locked(struct mutex *lock)
{
	return lock->shim_locked;
}

#endif /* _SHIM_LINUX_MUTEX_H */
