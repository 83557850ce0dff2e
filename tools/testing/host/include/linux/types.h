/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: kernel integer types over the C library's. */
#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/compiler.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;	/* as in the kernel, for %llx */
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

typedef unsigned int gfp_t;
typedef unsigned int slab_flags_t;

/* As in the kernel; the list functions are in list.h. */
struct list_head {
	struct list_head *next, *prev;
};

#endif /* _SHIM_LINUX_TYPES_H */
