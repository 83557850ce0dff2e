/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: a WARN or a BUG in code under test is a test failure, so all
 * of them print where they fired and abort.
 */
#ifndef _SHIM_LINUX_BUG_H
#define _SHIM_LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/printk.h>	/* as the kernel's, for WARN() */

__noreturn __printf(4, 5)
void shim_bug(const char *kind, const char *file, int line,
	      const char *fmt, ...);

#define __shim_warn(kind, cond, ...) ({					\
	int __c = !!(cond);						\
	if (unlikely(__c))						\
		shim_bug(kind, __FILE__, __LINE__, __VA_ARGS__);	\
	__c; })

#define WARN_ON(cond)		__shim_warn("WARN_ON", cond, "%s", #cond)
#define WARN_ON_ONCE(cond)	__shim_warn("WARN_ON_ONCE", cond, "%s", #cond)
#define WARN(cond, ...)		__shim_warn("WARN", cond, __VA_ARGS__)
#define WARN_ONCE(cond, ...)	__shim_warn("WARN_ONCE", cond, __VA_ARGS__)
#define BUG_ON(cond)		((void)__shim_warn("BUG_ON", cond, "%s", #cond))
#define BUG()			shim_bug("BUG", __FILE__, __LINE__, "BUG()")
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)

#endif /* _SHIM_LINUX_BUG_H */
