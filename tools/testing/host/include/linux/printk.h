/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: pr_*() print to stderr as TAP diagnostics, and are counted. */
#ifndef _SHIM_LINUX_PRINTK_H
#define _SHIM_LINUX_PRINTK_H

#include <linux/compiler.h>

__printf(2, 3)
int shim_printk(const char *level, const char *fmt, ...);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define pr_err(fmt, ...)	shim_printk("err", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	shim_printk("warn", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	shim_printk("info", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	shim_printk("debug", pr_fmt(fmt), ##__VA_ARGS__)

#endif /* _SHIM_LINUX_PRINTK_H */
