/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: 4 KiB pages and a fake struct page. It is 64 bytes, as on
 * x86-64, and its alignment keeps the low bits of page pointers free, as
 * kernel code may assume; shim_page_alloc() in shim.h makes them.
 */
#ifndef _SHIM_LINUX_MM_TYPES_H
#define _SHIM_LINUX_MM_TYPES_H

#include <linux/types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

struct page {
	unsigned long flags;
	unsigned long private;
	unsigned long index;	/* the tests' page id */
	struct list_head lru;	/* for the page's owner, as in the kernel */
	unsigned long pad[3];
} __aligned(64);

_Static_assert(sizeof(struct page) == 64, "struct page is 64 bytes");

#endif /* _SHIM_LINUX_MM_TYPES_H */
