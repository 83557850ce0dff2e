/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: overflow-checked arithmetic over the compiler's builtins.
 * Like the kernel's, the operands and the result must have one type.
 */
#ifndef _SHIM_LINUX_OVERFLOW_H
#define _SHIM_LINUX_OVERFLOW_H

#include <linux/limits.h>
#include <linux/types.h>

#define __shim_check_overflow(op, a, b, d) ({				\
	__typeof__(a) __a = (a);					\
	__typeof__(b) __b = (b);					\
	__typeof__(d) __d = (d);					\
	(void)(&__a == &__b);						\
	(void)(&__a == __d);						\
	op(__a, __b, __d); })

#define check_add_overflow(a, b, d) \
	__shim_check_overflow(__builtin_add_overflow, a, b, d)
#define check_sub_overflow(a, b, d) \
	__shim_check_overflow(__builtin_sub_overflow, a, b, d)
#define check_mul_overflow(a, b, d) \
	__shim_check_overflow(__builtin_mul_overflow, a, b, d)

#endif /* _SHIM_LINUX_OVERFLOW_H */
