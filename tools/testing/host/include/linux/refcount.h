/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: refcount_t. Where the kernel's saturates and warns (an
 * increment from zero, an underflow), this one WARNs, which aborts.
 */
#ifndef _SHIM_LINUX_REFCOUNT_H
#define _SHIM_LINUX_REFCOUNT_H

#include <linux/bug.h>
#include <linux/types.h>

typedef struct {
	int refs;
} refcount_t;

#define REFCOUNT_INIT(n)	{ .refs = (n) }

static inline void refcount_set(refcount_t *r, int n)
{
	r->refs = n;
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return r->refs;
}

static inline void refcount_add(int i, refcount_t *r)
{
	WARN(r->refs <= 0 || i <= 0, "refcount_add(%d) on %d", i, r->refs);
	r->refs += i;
}

static inline void refcount_inc(refcount_t *r)
{
	refcount_add(1, r);
}

static inline bool refcount_sub_and_test(int i, refcount_t *r)
{
	WARN(r->refs < i, "refcount underflow: %d - %d", r->refs, i);
	r->refs -= i;
	return r->refs == 0;
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	return refcount_sub_and_test(1, r);
}

static inline void refcount_dec(refcount_t *r)
{
	WARN(refcount_dec_and_test(r), "refcount_dec() to 0");
}

#endif /* _SHIM_LINUX_REFCOUNT_H */
