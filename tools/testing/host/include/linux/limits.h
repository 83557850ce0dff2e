/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: the kernel's integer limits. The C library's <limits.h>
 * includes <linux/limits.h> for PATH_MAX and the like and finds this
 * file, so the UAPI header it wants comes first, as the kernel's own
 * <linux/limits.h> does.
 */
#ifndef _SHIM_LINUX_LIMITS_H
#define _SHIM_LINUX_LIMITS_H

#include_next <linux/limits.h>

#define U8_MAX		((u8)~0U)
#define U16_MAX		((u16)~0U)
#define U32_MAX		((u32)~0U)
#define S32_MAX		((s32)(U32_MAX >> 1))
#define S32_MIN		((s32)(-S32_MAX - 1))
#ifndef ULONG_MAX
#define ULONG_MAX	(~0UL)
#endif
#define U64_MAX		((u64)~0ULL)
#define S64_MAX		((s64)(U64_MAX >> 1))
#define S64_MIN		((s64)(-S64_MAX - 1))

#endif /* _SHIM_LINUX_LIMITS_H */
