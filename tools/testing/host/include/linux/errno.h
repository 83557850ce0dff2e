/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: the kernel's errno values are the ones the C library's
 * <asm/errno.h> has. The C library's own <errno.h> includes <linux/errno.h>
 * too, and finds this file: so take nothing else from here.
 */
#ifndef _SHIM_LINUX_ERRNO_H
#define _SHIM_LINUX_ERRNO_H

#include <asm/errno.h>

#endif /* _SHIM_LINUX_ERRNO_H */
