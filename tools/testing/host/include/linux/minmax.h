/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: min() and max(). Like the kernel's, they reject operands of
 * different types (the pointer comparison warns, and -Werror fails).
 */
#ifndef _SHIM_LINUX_MINMAX_H
#define _SHIM_LINUX_MINMAX_H

#define __shim_cmp(x, y, op) ({						\
	__typeof__(x) __x = (x);					\
	__typeof__(y) __y = (y);					\
	(void)(&__x == &__y);						\
	__x op __y ? __x : __y; })

#define min(x, y)		__shim_cmp(x, y, <)
#define max(x, y)		__shim_cmp(x, y, >)
#define min_t(type, x, y)	__shim_cmp((type)(x), (type)(y), <)
#define max_t(type, x, y)	__shim_cmp((type)(x), (type)(y), >)
#define min3(x, y, z)		min(min(x, y), z)

#endif /* _SHIM_LINUX_MINMAX_H */
