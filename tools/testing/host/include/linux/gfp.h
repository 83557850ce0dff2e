/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: allocation flags. Only __GFP_ZERO and __GFP_NOFAIL mean
 * anything here (the values are the shim's own); the rest exist so that
 * kernel code compiles.
 */
#ifndef _SHIM_LINUX_GFP_H
#define _SHIM_LINUX_GFP_H

#include <linux/types.h>

#define __GFP_ZERO		0x01u
#define __GFP_NOFAIL		0x02u
#define __GFP_NOWARN		0x04u
#define __GFP_ACCOUNT		0x08u
#define __GFP_RECLAIM		0x10u
#define __GFP_IO		0x20u
#define __GFP_FS		0x40u
#define __GFP_HIGH		0x80u
#define __GFP_RETRY_MAYFAIL	0x100u

#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT		0u
#define GFP_ATOMIC		__GFP_HIGH

#endif /* _SHIM_LINUX_GFP_H */
