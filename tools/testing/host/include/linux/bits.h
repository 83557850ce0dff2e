/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: single-bit masks. */
#ifndef _SHIM_LINUX_BITS_H
#define _SHIM_LINUX_BITS_H

#define BIT(nr)		(1UL << (nr))
#define BIT_ULL(nr)	(1ULL << (nr))

#endif /* _SHIM_LINUX_BITS_H */
